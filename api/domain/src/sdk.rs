//! The SDK API's domain: what a mobile app reports, checked and stored. The HTTP handlers
//! (`api::routes::sdk`) and the demo seed both go through these functions.

use std::collections::HashMap;

use chrono::{Duration, NaiveDateTime};
use types::apps::AppKind;
use types::mobile_users::CreateMobileUser;
use types::sdk::{EventBatch, EventKind, EventsAccepted, RegisterDevice};
use types::FieldError;

use crate::db::apps::AppRow;
use crate::db::devices::DeviceRow;
use crate::db::events::{self, NewEvent};
use crate::db::mobile_users::MobileUserRow;
use crate::db::rollups::Fold;
use crate::db::DbConn;
use crate::error::{managed_by_magento, AppError, AppResult};
use types::webhooks::WebhookEventType;

/// The header that carries the app's public key.
pub const APP_KEY_HEADER: &str = "X-App-Key";
/// How far back a device may date what it reports (an app offline for a long time).
pub const MAX_REPORT_AGE_DAYS: i64 = 400;
/// How far ahead of the server a device's clock may run.
pub const MAX_CLOCK_SKEW_SECS: i64 = 300;

/// A time a device reports must lie within what it can plausibly know.
pub(crate) fn check_reported_time(
    at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), &'static str> {
    if at > now + Duration::seconds(MAX_CLOCK_SKEW_SECS) {
        Err("must not be in the future")
    } else if at < now - Duration::days(MAX_REPORT_AGE_DAYS) {
        Err("must be at most 400 days ago")
    } else {
        Ok(())
    }
}

/// Registers or updates a device (idempotent by installation id). `Ok((device_id, created))`.
pub fn register_device(
    conn: &mut DbConn,
    app: &AppRow,
    report: &RegisterDevice,
    now: NaiveDateTime,
) -> AppResult<(i64, bool)> {
    let installed_at = report.installed_at.map_or(now, |t| t.naive_utc());
    check_reported_time(installed_at, now)
        .map_err(|message| AppError::invalid_field("installed_at", message))?;
    let installed_at = installed_at.min(now);
    let (id, created) = DeviceRow::register(conn, app.id, report, installed_at)?;
    if created {
        let mut fold = Fold::default();
        fold.install(installed_at);
        fold.stage(conn, app.id)?;
        crate::webhooks::emit_with(
            conn,
            app.owner_id,
            WebhookEventType::DeviceRegistered,
            |conn| Ok(DeviceRow::find(conn, app.id, id)?.map(|d| d.to_wire())),
        )?;
    }
    Ok((id, created))
}

/// Stores a batch of events, all of them or none: every bad event is reported by its index. An
/// event whose `id` its installation already reported is skipped (counted as a duplicate).
pub fn record_events(
    conn: &mut DbConn,
    app: &AppRow,
    batch: &EventBatch,
    now: NaiveDateTime,
) -> AppResult<EventsAccepted> {
    let mut installations: Vec<&str> = batch
        .events
        .iter()
        .map(|e| e.installation_id.as_str())
        .collect();
    installations.sort_unstable();
    installations.dedup();
    let devices: HashMap<String, i64> = DeviceRow::ids_of(conn, app.id, &installations)?
        .into_iter()
        .collect();

    let mut errors = Vec::new();
    let mut rows = Vec::with_capacity(batch.events.len());
    let mut last_seen: HashMap<i64, NaiveDateTime> = HashMap::new();
    for (i, event) in batch.events.iter().enumerate() {
        let mut bad = |field: &str, message: &str| {
            errors.push(FieldError {
                field: format!("events[{i}].{field}"),
                message: message.to_owned(),
            });
        };
        let at = event.at.naive_utc();
        if let Err(message) = check_reported_time(at, now) {
            bad("at", message);
        }
        let device = devices.get(&event.installation_id).copied();
        if device.is_none() {
            bad(
                "installation_id",
                "is not a registered installation of this app (POST /sdk/devices first)",
            );
        }
        match (event.kind, event.duration_secs, &event.message_id) {
            (EventKind::SessionEnd, None, _) => bad("duration_secs", "is required for session_end"),
            (EventKind::PushOpen, _, None) => bad("message_id", "is required for push_open"),
            (EventKind::SessionStart | EventKind::PushOpen, Some(_), _) => {
                bad("duration_secs", "is only for session_end");
            }
            (EventKind::SessionStart | EventKind::SessionEnd, _, Some(_)) => {
                bad("message_id", "is only for push_open");
            }
            _ => {}
        }
        let Some(device_id) = device else { continue };
        let seen = last_seen.entry(device_id).or_insert(at);
        *seen = (*seen).max(at);
        rows.push(NewEvent {
            app_id: app.id,
            device_id,
            kind: event.kind.as_str(),
            occurred_at: at,
            duration_secs: event.duration_secs,
            message_id: event.message_id.clone(),
            client_id: event.id.clone(),
            created_at: now,
        });
    }
    if !errors.is_empty() {
        return Err(AppError::validation(errors));
    }
    let accepted = events::insert_all(conn, app.id, &rows)?;
    let mut last_seen: Vec<_> = last_seen
        .into_iter()
        .map(|(device, at)| (device, at.min(now)))
        .collect();
    last_seen.sort_unstable();
    DeviceRow::seen(conn, &last_seen)?;
    Ok(EventsAccepted {
        accepted,
        duplicates: rows.len() - accepted,
    })
}

/// A user as the app registers it (`POST sdk/mobile-users`), answering the same whether the email
/// is new or the app has it already, so that the app's public key tells nobody which shoppers
/// exist: the user's handle either way. A new email makes the user; a known one changes nothing
/// (a stranger cannot rename someone) and answers that user's handle, which is also what an app
/// re-installed on a new phone needs.
pub fn register_mobile_user(
    conn: &mut DbConn,
    app: &AppRow,
    user: &CreateMobileUser,
) -> AppResult<String> {
    if app.kind() == AppKind::Magento {
        return Err(managed_by_magento());
    }
    let email = types::email::Email::parse(&user.email);
    let row = match MobileUserRow::find_by_email(conn, app.id, &email)? {
        Some(known) => known,
        None => crate::mobile_users::create(conn, app, user)?,
    };
    Ok(row.sdk_ref.unwrap_or_default())
}
