//! Push messages: the rules between the routes and the sender — what a message looks like on the
//! wire, when each device's delivery is due (local time, quiet hours), the fan-out that makes the
//! deliveries, and each app's credentials (sealed at rest).

pub mod crypto;
pub mod gateway;
pub mod sender;

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use tokio::sync::Notify;
use types::push::{
    format_time_of_day, ApnsEnvironment, ApnsInfo, FcmInfo, OrderStatusPush, PushFailure,
    PushMessage, PushPoint, PushSettings, PushStats, QuietHours, DEFAULT_ORDER_TEMPLATE,
};

use crate::db::push::{self as db, Audience, MessageRow, NewDelivery, SettingsRow};
use crate::db::{utc, DbConn};
use crate::error::AppResult;
use crate::settings::Settings;
use crypto::Sealer;
use gateway::{ApnsKey, Credentials, Gateways, ServiceAccount};

/// Devices a fan-out chunk makes deliveries for.
pub const FANOUT_CHUNK: i64 = 5000;

/// What the routes and the sender share: the provider clients, the sealer of credentials, and
/// the bell that starts this process's sender at once when a message starts sending.
pub struct Push {
    pub gateways: Gateways,
    pub sealer: Sealer,
    pub wake: Notify,
}

impl Push {
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        Ok(Self {
            gateways: Gateways::new(settings)?,
            sealer: Sealer::new(settings)?,
            wake: Notify::new(),
        })
    }

    /// The usable credentials of an app's settings (what does not open is left out, and logged).
    pub fn credentials(&self, row: &SettingsRow) -> Credentials {
        let fcm = row.fcm_credentials.as_deref().and_then(|sealed| {
            let account = self
                .sealer
                .open(row.app_id, sealed)
                .and_then(|json| ServiceAccount::parse(&json).ok());
            if account.is_none() {
                tracing::warn!(app = row.app_id, "the app's FCM credentials do not open (was CREDENTIALS_KEY or JWT_SECRET changed?)");
            }
            account
        });
        let apns = row.apns_credentials.as_deref().and_then(|sealed| {
            let key = self.sealer.open(row.app_id, sealed);
            if key.is_none() {
                tracing::warn!(
                    app = row.app_id,
                    "the app's APNs key does not open (was CREDENTIALS_KEY or JWT_SECRET changed?)"
                );
            }
            Some(ApnsKey {
                key_id: row.apns_key_id.clone()?,
                team_id: row.apns_team_id.clone()?,
                topic: row.apns_topic.clone()?,
                environment: row
                    .apns_environment
                    .as_deref()
                    .and_then(|e| e.parse().ok())
                    .unwrap_or(ApnsEnvironment::Production),
                private_key: key?,
            })
        });
        Credentials { fcm, apns }
    }

    /// An app's settings as the API shows them (never the keys).
    pub fn settings_wire(&self, row: &SettingsRow) -> PushSettings {
        let fcm = match (
            &row.fcm_credentials,
            &row.fcm_project_id,
            &row.fcm_client_email,
        ) {
            (Some(_), Some(project_id), Some(client_email)) => Some(FcmInfo {
                project_id: project_id.clone(),
                client_email: client_email.clone(),
                key_id: row.fcm_key_id.clone().unwrap_or_default(),
            }),
            _ => None,
        };
        let apns = match (
            &row.apns_credentials,
            &row.apns_key_id,
            &row.apns_team_id,
            &row.apns_topic,
        ) {
            (Some(_), Some(key_id), Some(team_id), Some(topic)) => Some(ApnsInfo {
                key_id: key_id.clone(),
                team_id: team_id.clone(),
                topic: topic.clone(),
                environment: row
                    .apns_environment
                    .as_deref()
                    .and_then(|e| e.parse().ok())
                    .unwrap_or(ApnsEnvironment::Production),
            }),
            _ => None,
        };
        PushSettings {
            fcm,
            apns,
            quiet_hours: quiet_hours(row).map(|(start, end)| QuietHours {
                start: format_time_of_day(start),
                end: format_time_of_day(end),
            }),
            daily_cap: row.daily_cap,
            order_status: OrderStatusPush {
                enabled: row.order_status_enabled,
                template: row
                    .order_status_template
                    .clone()
                    .unwrap_or_else(|| DEFAULT_ORDER_TEMPLATE.to_owned()),
            },
            gateway: if self.gateways.live() { "live" } else { "log" }.to_owned(),
            updated_at: (row.version > 0).then(|| utc(row.updated_at)),
        }
    }
}

/// An app's quiet hours in minutes after midnight, when set.
pub fn quiet_hours(row: &SettingsRow) -> Option<(i32, i32)> {
    row.quiet_start.zip(row.quiet_end)
}

/// A device's time zone (UTC when it reported none, or one unknown here).
pub fn zone(tz: Option<&str>) -> Tz {
    tz.and_then(|t| t.parse().ok()).unwrap_or(Tz::UTC)
}

/// The first instant at or after `from` when the clock in `tz` shows `minutes` after midnight.
pub fn next_local(from: NaiveDateTime, tz: Tz, minutes: i32) -> NaiveDateTime {
    let local = tz.from_utc_datetime(&from).date_naive();
    let time = NaiveTime::from_num_seconds_from_midnight_opt(
        u32::try_from(minutes.clamp(0, 1439) * 60).unwrap_or(0),
        0,
    )
    .unwrap_or_default();
    for day in 0..3 {
        let date = local + Duration::days(day);
        // A time skipped by a daylight-saving change happens an hour later that day.
        let at = tz
            .from_local_datetime(&date.and_time(time))
            .earliest()
            .or_else(|| {
                tz.from_local_datetime(&(date.and_time(time) + Duration::hours(1)))
                    .earliest()
            });
        if let Some(at) = at {
            let at = at.naive_utc();
            if at >= from {
                return at;
            }
        }
    }
    from
}

/// When a delivery due at `at` may go out given quiet hours `(start, end)` in `tz`: `None` when
/// at once, else the end of the quiet hours it falls in.
pub fn after_quiet_hours(
    at: NaiveDateTime,
    tz: Tz,
    (start, end): (i32, i32),
) -> Option<NaiveDateTime> {
    use chrono::Timelike;
    let local = tz.from_utc_datetime(&at);
    let minute = i32::try_from(local.hour() * 60 + local.minute()).unwrap_or(0);
    let quiet = if start <= end {
        (start..end).contains(&minute)
    } else {
        minute >= start || minute < end
    };
    quiet.then(|| next_local(at, tz, end))
}

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

/// When the app's owner switched order status pushes on: a push to the device that placed the
/// order (if it has push on and a live token), from the owner's template. Its message (kind
/// `order_status`) is sending at once; `true` when one was made.
pub fn order_status_push(
    conn: &mut DbConn,
    app_id: i64,
    (order_number, status, device): (&str, &str, Option<i64>),
    now: NaiveDateTime,
) -> AppResult<bool> {
    let settings = SettingsRow::of(conn, app_id)?;
    let Some(device) = device.filter(|_| settings.order_status_enabled) else {
        return Ok(false);
    };
    // The device of the order, if a campaign to every device would reach it.
    if !Audience::resolve(conn, app_id, None, now)?.includes(conn, device)? {
        return Ok(false);
    }
    let template = settings
        .order_status_template
        .as_deref()
        .unwrap_or(DEFAULT_ORDER_TEMPLATE);
    let body = template
        .replace("<ORDER_NUMBER>", order_number)
        .replace("<STATUS>", status);
    let row = MessageRow::insert(
        conn,
        &db::NewMessage {
            app_id,
            kind: types::push::PushKind::OrderStatus.as_str(),
            title: format!("Order {order_number}"),
            body,
            deep_link: None,
            image_url: None,
            data: Some(serde_json::json!({"order_number": order_number}).to_string()),
            target: None,
            status: types::push::PushStatus::Draft.as_str(),
            send_at: None,
            local_time: None,
            created_by: None,
            created_at: now,
            updated_at: now,
        },
    )?;
    let from = [types::push::PushStatus::Draft];
    MessageRow::transition(conn, row.id, &from, types::push::PushStatus::Sending, now)?;
    db::insert_deliveries(
        conn,
        &[NewDelivery {
            message_id: row.id,
            device_id: device,
            status: "pending",
            next_attempt_at: now,
            reason: None,
            created_at: now,
        }],
    )?;
    MessageRow::fanned(conn, row.id, Some(device), 1, 0, true)?;
    Ok(true)
}

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

/// Messages' wire forms, with their opens; `detail` adds failures by reason and the timeline.
pub fn to_wire(
    conn: &mut DbConn,
    rows: &[MessageRow],
    detail: bool,
) -> AppResult<Vec<PushMessage>> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let opened = db::opened(conn, first.app_id, &ids)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let sent = i64::from(row.sent);
        let opened = opened.get(&row.id).copied().unwrap_or(0);
        let (failures, timeline) = if detail {
            let failures = db::failures(conn, row.id)?
                .into_iter()
                .map(|(reason, count)| PushFailure { reason, count })
                .collect();
            let timeline = db::timeline(conn, row.app_id, row.id)?
                .into_iter()
                .map(|(at, sent, opened)| PushPoint {
                    at: utc(at),
                    sent,
                    opened,
                })
                .collect();
            (Some(failures), Some(timeline))
        } else {
            (None, None)
        };
        out.push(PushMessage {
            id: row.id.to_string(),
            app_id: row.app_id.to_string(),
            kind: row.kind,
            title: row.title.clone(),
            body: row.body.clone(),
            deep_link: row.deep_link.clone(),
            image_url: row.image_url.clone(),
            data: row.data(),
            target: row.target(),
            status: row.status,
            send_at: row.send_at.map(utc),
            local_time: row.local_time.clone(),
            stats: PushStats {
                targeted: i64::from(row.targeted),
                sent,
                failed: i64::from(row.failed),
                opened,
                open_rate: if sent > 0 {
                    (opened.min(sent) as f64 / sent as f64 * 1000.0).round() / 1000.0
                } else {
                    0.0
                },
            },
            started_at: row.started_at.map(utc),
            finished_at: row.finished_at.map(utc),
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            failures,
            timeline,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .unwrap_or_default()
    }

    #[test]
    fn local_time_is_the_next_such_time_in_the_devices_zone() {
        let paris: Tz = "Europe/Paris".parse().unwrap_or(Tz::UTC);
        // 08:00 UTC is 09:00 in Paris in January: 10:00 Paris is 09:00 UTC the same day.
        assert_eq!(
            next_local(at(2027, 1, 10, 8, 0), paris, 600),
            at(2027, 1, 10, 9, 0)
        );
        // Past it: the next day.
        assert_eq!(
            next_local(at(2027, 1, 10, 9, 30), paris, 600),
            at(2027, 1, 11, 9, 0)
        );
        // Summer time: 10:00 Paris is 08:00 UTC.
        assert_eq!(
            next_local(at(2027, 7, 10, 7, 0), paris, 600),
            at(2027, 7, 10, 8, 0)
        );
        // 02:30 does not exist in Paris on 28 March 2027: an hour later (03:30 CEST = 01:30 UTC).
        assert_eq!(
            next_local(at(2027, 3, 28, 0, 0), paris, 150),
            at(2027, 3, 28, 1, 30)
        );
    }

    #[test]
    fn quiet_hours_hold_a_delivery_until_they_end() {
        let tokyo: Tz = "Asia/Tokyo".parse().unwrap_or(Tz::UTC);
        let night = (22 * 60, 8 * 60);
        // 14:00 UTC is 23:00 in Tokyo: held until 08:00 Tokyo, 23:00 UTC.
        assert_eq!(
            after_quiet_hours(at(2027, 1, 10, 14, 0), tokyo, night),
            Some(at(2027, 1, 10, 23, 0))
        );
        // 03:00 UTC is noon in Tokyo: at once.
        assert_eq!(after_quiet_hours(at(2027, 1, 10, 3, 0), tokyo, night), None);
        // Quiet hours inside one day.
        assert_eq!(
            after_quiet_hours(at(2027, 1, 10, 13, 0), Tz::UTC, (12 * 60, 14 * 60)),
            Some(at(2027, 1, 10, 14, 0))
        );
    }
}
