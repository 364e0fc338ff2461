//! Demo apps and ~90 days of plausible traffic, sent through the SDK's own code path
//! (`crate::sdk`), so that a fresh back office has live devices, users and charts (and, for
//! Standard apps, orders and quote requests: `crate::demo_commerce`).

use chrono::{Duration, NaiveDateTime, Timelike};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use types::apps::{AppEdition, AppKind};
use types::devices::Platform;
use types::mobile_users::{CreateMobileUser, MobileUserStatus};
use types::sdk::{EventBatch, EventKind, RegisterDevice, SdkEvent, MAX_EVENTS_PER_BATCH};

use crate::db::apps::AppRow;
use crate::db::mobile_users::{MobileUserChanges, MobileUserRow};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::sdk;

/// Days of history.
const DAYS: i64 = 90;

pub struct DemoApp {
    pub name: &'static str,
    pub kind: AppKind,
    pub edition: AppEdition,
    pub store_url: Option<&'static str>,
    /// Devices installed over the 90 days.
    pub devices: u32,
}

const IOS_MODELS: [&str; 5] = [
    "iPhone 15",
    "iPhone 14",
    "iPhone 13",
    "iPhone SE",
    "iPad Air",
];
const IOS_VERSIONS: [&str; 4] = ["18.1", "17.6", "17.5", "16.7"];
const ANDROID_MODELS: [&str; 6] = [
    "Pixel 8",
    "Galaxy S24",
    "Galaxy A54",
    "Redmi Note 13",
    "OnePlus 12",
    "Moto G84",
];
const ANDROID_VERSIONS: [&str; 4] = ["15", "14", "13", "12"];
const APP_VERSIONS: [&str; 3] = ["2.1.0", "2.2.0", "2.3.0"];
const FIRST_NAMES: [&str; 12] = [
    "Sam", "Noah", "Mila", "Liam", "Zoe", "Finn", "Julia", "Daan", "Sara", "Levi", "Nora", "Milan",
];
const LAST_NAMES: [&str; 8] = [
    "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos", "Vos", "Peters",
];

/// Picks from a list, favouring its first entries (the popular models, the current versions).
fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    let a = rng.gen_range(0..items.len());
    let b = rng.gen_range(0..items.len());
    items[a.min(b)]
}

/// When a demo app was made: a few days before its traffic starts.
pub fn created_at(now: NaiveDateTime) -> NaiveDateTime {
    now - Duration::days(DAYS + 5)
}

/// Fills the demo app `app` (made from `spec`) with devices, sessions, push opens, (for
/// stand-alone apps) mobile users and (for Standard apps) orders and quote requests. `seed`
/// makes the traffic the same on every run.
pub fn fill(
    conn: &mut DbConn,
    app: &AppRow,
    spec: &DemoApp,
    seed: u64,
    now: NaiveDateTime,
) -> AppResult<()> {
    let mut rng = StdRng::seed_from_u64(seed);
    let start = now - Duration::days(DAYS);
    let mut batch = Vec::new();
    let mut installations = Vec::new();
    for n in 0..spec.devices {
        // Installs grow over time: later days get more of them.
        let day = (f64::from(rng.gen_range(0_u32..1000)) / 1000.0).sqrt() * DAYS as f64;
        let installed_at = start
            + Duration::minutes((day * 1440.0) as i64)
            + Duration::minutes(rng.gen_range(0..60));
        if installed_at >= now {
            continue;
        }
        let platform = if rng.gen_bool(0.55) {
            Platform::Ios
        } else {
            Platform::Android
        };
        let (model, os_version) = match platform {
            Platform::Ios => (pick(&mut rng, &IOS_MODELS), pick(&mut rng, &IOS_VERSIONS)),
            Platform::Android => (
                pick(&mut rng, &ANDROID_MODELS),
                pick(&mut rng, &ANDROID_VERSIONS),
            ),
        };
        let push_enabled = rng.gen_bool(0.7);
        let installation_id = format!("demo-{seed}-{n:05}");
        let report = RegisterDevice {
            installation_id: installation_id.clone(),
            platform,
            model: model.into(),
            os_version: os_version.into(),
            app_version: pick(&mut rng, &APP_VERSIONS).into(),
            locale: Some(if rng.gen_bool(0.6) { "nl-NL" } else { "en-GB" }.into()),
            timezone: Some("Europe/Amsterdam".into()),
            push_token: push_enabled.then(|| format!("demo-token-{seed}-{n}")),
            push_enabled,
            installed_at: Some(installed_at.and_utc()),
        };
        sdk::register_device(conn, app, &report, now)?;
        installations.push(installation_id.clone());

        // Each device is used less as time goes on; some stop altogether.
        let engagement = rng.gen_range(0.15..0.6);
        let mut day = installed_at;
        while day < now {
            let age_days = (day - installed_at).num_days() as f64;
            if rng.gen_bool((engagement * (-age_days / 45.0).exp()).clamp(0.0, 1.0)) {
                for _ in 0..rng.gen_range(1..=3) {
                    let at = (day.with_hour(rng.gen_range(7..23)).unwrap_or(day)
                        + Duration::minutes(rng.gen_range(0..60)))
                    .max(installed_at);
                    let duration = rng.gen_range(20..900);
                    if at + Duration::seconds(duration) >= now {
                        continue;
                    }
                    batch.push(event(
                        EventKind::SessionStart,
                        &installation_id,
                        at,
                        None,
                        None,
                    ));
                    batch.push(event(
                        EventKind::SessionEnd,
                        &installation_id,
                        at + Duration::seconds(duration),
                        Some(duration as i32),
                        None,
                    ));
                    // A weekly push campaign (Fridays) gets opened now and then.
                    if push_enabled && (day - start).num_days() % 7 == 4 && rng.gen_bool(0.3) {
                        let message = format!("campaign-{}", (day - start).num_days() / 7);
                        batch.push(event(
                            EventKind::PushOpen,
                            &installation_id,
                            at,
                            None,
                            Some(message),
                        ));
                    }
                }
            }
            day += Duration::days(1);
            if batch.len() >= MAX_EVENTS_PER_BATCH - 8 {
                sdk::record_events(
                    conn,
                    app,
                    &EventBatch {
                        events: std::mem::take(&mut batch),
                    },
                    now,
                )?;
            }
        }
    }
    if !batch.is_empty() {
        sdk::record_events(conn, app, &EventBatch { events: batch }, now)?;
    }
    if spec.kind == AppKind::Standalone {
        seed_mobile_users(conn, app, &mut rng, spec.devices / 3)?;
    }
    if spec.edition == AppEdition::Standard {
        let orders = spec.devices / 2;
        let owner_id = app.owner_id;
        crate::demo_commerce::seed(conn, app, owner_id, &installations, orders, &mut rng, now)?;
    }
    Ok(())
}

fn event(
    kind: EventKind,
    installation_id: &str,
    at: NaiveDateTime,
    duration_secs: Option<i32>,
    message_id: Option<String>,
) -> SdkEvent {
    SdkEvent {
        id: None,
        kind,
        installation_id: installation_id.to_owned(),
        at: at.and_utc(),
        duration_secs,
        message_id,
    }
}

fn seed_mobile_users(
    conn: &mut DbConn,
    app: &AppRow,
    rng: &mut StdRng,
    count: u32,
) -> AppResult<()> {
    for n in 0..count {
        let first = FIRST_NAMES[rng.gen_range(0..FIRST_NAMES.len())];
        let last = LAST_NAMES[rng.gen_range(0..LAST_NAMES.len())];
        let user = crate::mobile_users::create(
            conn,
            app,
            &CreateMobileUser {
                email: format!(
                    "{}.{}{n}@mail.demo.test",
                    first.to_lowercase(),
                    last.to_lowercase()
                ),
                first_name: first.into(),
                last_name: last.into(),
                phone: rng
                    .gen_bool(0.5)
                    .then(|| format!("+31 6 {:08}", rng.gen_range(0..100_000_000))),
            },
        )?;
        if rng.gen_bool(0.08) {
            let blocked = MobileUserChanges {
                status: Some(MobileUserStatus::Blocked.as_str().into()),
                ..MobileUserChanges::default()
            };
            MobileUserRow::update(conn, &user, &blocked)?;
        }
    }
    Ok(())
}
