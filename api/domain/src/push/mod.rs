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

mod demo;
mod fanout;
mod order_status;
mod schedule;
pub use demo::*;
pub use fanout::*;
pub use order_status::*;
pub use schedule::*;

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
