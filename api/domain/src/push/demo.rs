//! The demo data's push messages.

use super::*;

/// The demo's messages of an app: a campaign sent three days ago to every device with push on,
/// and one scheduled for next week.
pub fn seed_demo(conn: &mut DbConn, app_id: i64, now: NaiveDateTime) -> AppResult<()> {
    use crate::db::schema::push_deliveries;
    use diesel::prelude::*;
    use types::push::{PushKind, PushStatus};
    let message =
        |title: &str, body: &str, status: PushStatus, send_at, created_at| db::NewMessage {
            app_id,
            kind: PushKind::Campaign.as_str(),
            title: title.to_owned(),
            body: body.to_owned(),
            deep_link: Some("shop://sale".to_owned()),
            image_url: None,
            data: None,
            target: None,
            status: status.as_str(),
            send_at,
            local_time: None,
            created_by: None,
            created_at,
            updated_at: created_at,
        };
    let sent_at = now - Duration::days(3);
    let sent = MessageRow::insert(
        conn,
        &message(
            "Weekend sale",
            "20 % off everything until Sunday night.",
            PushStatus::Draft,
            None,
            sent_at - Duration::hours(2),
        ),
    )?;
    MessageRow::transition(
        conn,
        sent.id,
        &[PushStatus::Draft],
        PushStatus::Sending,
        sent_at,
    )?;
    loop {
        let row = MessageRow::find(conn, app_id, sent.id)?;
        if fan_out_chunk(conn, &row, sent_at)? {
            break;
        }
    }
    let ids: Vec<i64> = push_deliveries::table
        .filter(push_deliveries::message_id.eq(sent.id))
        .select(push_deliveries::id)
        .load(conn)?;
    for (message, n) in db::mark_sent(conn, &ids, sent_at)? {
        MessageRow::count(conn, message, n, 0)?;
    }
    finish_if_done(conn, sent.id, sent_at)?;
    MessageRow::insert(
        conn,
        &message(
            "Summer collection",
            "The new collection is in: be the first to see it.",
            PushStatus::Scheduled,
            Some(now + Duration::days(5)),
            now,
        ),
    )?;
    Ok(())
}
