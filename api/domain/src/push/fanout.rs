//! Fanning a sending message out to its devices in chunks, and telling webhooks what became of it.

use super::*;

/// Makes the deliveries of the next chunk of a sending message's devices; `true` when that was
/// the last chunk. Deliveries are due at once, or at the message's local time in each device's
/// zone; devices past the daily cap get a failed delivery (`daily_cap`).
pub fn fan_out_chunk(conn: &mut DbConn, msg: &MessageRow, now: NaiveDateTime) -> AppResult<bool> {
    let settings = SettingsRow::of(conn, msg.app_id)?;
    let audience = Audience::resolve(conn, msg.app_id, msg.target().as_ref(), now)?;
    let devices = audience.chunk(conn, msg.fanout_after, FANOUT_CHUNK)?;
    let done = (devices.len() as i64) < FANOUT_CHUNK;
    let ids: Vec<i64> = devices.iter().map(|(id, _)| *id).collect();
    let capped_counts = match settings.daily_cap {
        Some(_) if !ids.is_empty() => db::sent_since(conn, &ids, now - Duration::hours(24))?,
        _ => HashMap::new(),
    };
    let base = msg
        .send_at
        .unwrap_or(now)
        .max(msg.started_at.unwrap_or(now));
    let local = msg
        .local_time
        .as_deref()
        .and_then(types::push::parse_time_of_day);
    let mut capped = 0;
    let rows: Vec<NewDelivery> = devices
        .iter()
        .map(|(device, tz)| {
            let over = settings.daily_cap.is_some_and(|cap| {
                capped_counts.get(device).copied().unwrap_or(0) >= i64::from(cap)
            });
            if over {
                capped += 1;
            }
            let due = match local {
                Some(minutes) => next_local(base, zone(tz.as_deref()), minutes),
                None => now,
            };
            NewDelivery {
                message_id: msg.id,
                device_id: *device,
                status: if over { "failed" } else { "pending" },
                next_attempt_at: due,
                reason: over.then_some("daily_cap"),
                created_at: now,
            }
        })
        .collect();
    db::insert_deliveries(conn, &rows)?;
    let made = i32::try_from(rows.len()).unwrap_or(i32::MAX);
    MessageRow::fanned(conn, msg.id, ids.last().copied(), made, capped, done)?;
    if done {
        finish_if_done(conn, msg.id, now)?;
    }
    Ok(done)
}

/// Tells the app owner's webhook endpoints what became of a message (`push_message.created` or
/// `.updated`: edited, started, done, canceled), with the message as the API shows it.
pub fn tell(
    conn: &mut DbConn,
    row: &MessageRow,
    event: types::webhooks::WebhookEventType,
) -> AppResult<()> {
    use crate::db::schema::apps;
    use diesel::prelude::*;
    let owner: i64 = apps::table
        .find(row.app_id)
        .select(apps::owner_id)
        .first(conn)?;
    crate::webhooks::emit_with(conn, owner, event, |conn| {
        Ok(to_wire(conn, std::slice::from_ref(row), false)?.pop())
    })
}

/// [`MessageRow::finish_if_done`], telling webhooks when it finished the message.
pub fn finish_if_done(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> AppResult<()> {
    if MessageRow::finish_if_done(conn, id, now)? {
        let row = MessageRow::by_ids(conn, &[id])?;
        if let Some(row) = row.first() {
            tell(
                conn,
                row,
                types::webhooks::WebhookEventType::PushMessageUpdated,
            )?;
        }
    }
    Ok(())
}
