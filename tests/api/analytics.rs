//! Devices, their summary and analytics, checked against hand-counted traffic.

use chrono::{Duration, NaiveDate};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;

/// A customer's stand-alone app: (token, app id, app key).
async fn new_app(app: &TestApp) -> (String, String, String) {
    let (_, token) = app.customer("shop@example.com", None).await;
    let created = app.create_app(&token, json!({})).await;
    (
        token,
        created["id"].as_str().expect("id").to_owned(),
        created["app_key"].as_str().expect("key").to_owned(),
    )
}

/// `day` at `hh:mm` UTC, RFC 3339.
fn at(day: NaiveDate, hh: u32, mm: u32) -> String {
    day.and_hms_opt(hh, mm, 0)
        .expect("time")
        .and_utc()
        .to_rfc3339()
}

fn session(installation: &str, day: NaiveDate, hh: u32, mm: u32, secs: i64) -> [Value; 2] {
    let start = day.and_hms_opt(hh, mm, 0).expect("time").and_utc();
    [
        json!({"type": "session_start", "installation_id": installation, "at": start.to_rfc3339()}),
        json!({"type": "session_end", "installation_id": installation,
            "at": (start + Duration::seconds(secs)).to_rfc3339(), "duration_secs": secs}),
    ]
}

fn figures(bucket: &Value) -> (i64, i64, i64, f64, i64) {
    (
        bucket["installs"].as_i64().expect("installs"),
        bucket["active_devices"].as_i64().expect("active"),
        bucket["sessions"].as_i64().expect("sessions"),
        bucket["avg_session_secs"].as_f64().expect("avg"),
        bucket["push_opens"].as_i64().expect("opens"),
    )
}

both_backends! {
    async fn analytics_count_what_devices_reported_in_the_asked_time_zone(app) {
        let (token, app_id, key) = new_app(&app).await;
        let d = api::clock::now().date() - Duration::days(10);
        let next = d + Duration::days(1);
        // A installs at 08:00 UTC on day D; B at 23:30 UTC, which is already D+1 in Amsterdam;
        // C long before the range.
        for (id, installed) in [("device-a", at(d, 8, 0)), ("device-b", at(d, 23, 30)), ("device-c", at(d - Duration::days(40), 12, 0))] {
            app.register_device(&key, id, json!({"installed_at": installed})).await.assert_status(StatusCode::CREATED);
        }
        let mut events: Vec<Value> = Vec::new();
        events.extend(session("device-a", d, 9, 0, 600));
        events.extend(session("device-a", next, 10, 0, 300));
        events.extend(session("device-b", d, 23, 40, 600));
        events.push(json!({"type": "push_open", "installation_id": "device-c", "at": at(next, 12, 0), "message_id": "m1"}));
        events.extend(session("device-c", d - Duration::days(40), 12, 0, 60));
        app.sdk("events", &key, json!({"events": events})).await.assert_status(StatusCode::ACCEPTED);

        let query = |tz: &str| format!("apps/{app_id}/analytics?from={d}&to={next}&interval=day&tz={tz}");
        let utc = app.get(&query("UTC"), &token).await;
        utc.assert_status(StatusCode::OK);
        let buckets = utc.body["buckets"].as_array().expect("buckets");
        assert_eq!(buckets.len(), 2);
        assert_eq!(buckets[0]["start"], d.to_string());
        assert_eq!(figures(&buckets[0]), (2, 2, 2, 600.0, 0));
        assert_eq!(figures(&buckets[1]), (0, 2, 1, 300.0, 1));
        assert_eq!(figures(&utc.body["totals"]), (2, 3, 3, 500.0, 1));
        assert_eq!(utc.body["totals"]["orders"], 0);
        assert_eq!(utc.body["totals"]["revenue"], 0);

        let amsterdam = app.get(&query("Europe/Amsterdam"), &token).await;
        let buckets = amsterdam.body["buckets"].as_array().expect("buckets");
        assert_eq!(figures(&buckets[0]), (1, 1, 1, 600.0, 0));
        assert_eq!(figures(&buckets[1]), (1, 3, 2, 450.0, 1));
        assert_eq!(figures(&amsterdam.body["totals"]), (2, 3, 3, 500.0, 1));
        assert_eq!(amsterdam.body["tz"], "Europe/Amsterdam");

        let weekly = app.get(&format!("apps/{app_id}/analytics?from={}&to={next}&interval=month", d - Duration::days(60)), &token).await;
        let total_sessions: i64 = weekly.body["buckets"].as_array().expect("buckets").iter()
            .map(|b| b["sessions"].as_i64().unwrap_or(0)).sum();
        assert_eq!(total_sessions, 4, "the old session of C is in this longer range");
    }

    async fn analytics_refuse_backwards_ranges_unknown_zones_and_too_many_buckets(app) {
        let (token, app_id, _) = new_app(&app).await;
        let path = |q: &str| format!("apps/{app_id}/analytics?{q}");
        let backwards = app.get(&path("from=2026-02-01&to=2026-01-01"), &token).await;
        assert_eq!(backwards.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").error_fields(), ["from"]);
        assert_eq!(app.get(&path("tz=Mars/Olympus"), &token).await.error_fields(), ["tz"]);
        assert_eq!(app.get(&path("from=2020-01-01&to=2026-01-01"), &token).await.error_fields(), ["to"]);
        app.get(&path("from=2020-01-01&to=2026-01-01&interval=month"), &token).await.assert_status(StatusCode::OK);
        // 400 buckets is the most: one SELECT per bucket, within SQLite's compound-query limit.
        let longest = app.get(&path("from=2025-01-01&to=2026-02-04"), &token).await;
        longest.assert_status(StatusCode::OK);
        assert_eq!(longest.body["buckets"].as_array().map(Vec::len), Some(400));
        assert_eq!(app.get(&path("from=2025-01-01&to=2026-02-05"), &token).await.error_fields(), ["to"]);
        app.get(&path("interval=hour"), &token).await.assert_problem(StatusCode::BAD_REQUEST, "invalid_query");
    }

    async fn device_summary_gives_counts_and_shares(app) {
        let (token, app_id, key) = new_app(&app).await;
        for (id, extra) in [
            ("device-1", json!({})),
            ("device-2", json!({})),
            ("device-3", json!({"model": "iPhone 14", "push_enabled": false})),
            ("device-4", json!({"platform": "android", "model": "Pixel 8", "os_version": "14"})),
        ] {
            app.register_device(&key, id, extra).await.assert_status(StatusCode::CREATED);
        }
        let summary = app.get(&format!("apps/{app_id}/devices/summary"), &token).await;
        summary.assert_status(StatusCode::OK);
        assert_eq!(summary.body["total"], 4);
        assert_eq!(summary.body["push_enabled"], 3);
        assert_eq!(summary.body["by_platform"], json!([
            {"value": "ios", "count": 3, "share": 0.75},
            {"value": "android", "count": 1, "share": 0.25},
        ]));
        assert_eq!(summary.body["by_model"][0], json!({"value": "iPhone 15", "count": 2, "share": 0.5}));
        assert_eq!(summary.body["by_os_version"][0], json!({"value": "17.4", "platform": "ios", "count": 3, "share": 0.75}));
        assert_eq!(summary.body["by_app_version"], json!([{"value": "2.0.0", "count": 4, "share": 1.0}]));

        let android = app.get(&format!("apps/{app_id}/devices/summary?platform=android"), &token).await;
        assert_eq!(android.body["total"], 1);
        assert_eq!(android.body["by_model"], json!([{"value": "Pixel 8", "count": 1, "share": 1.0}]));
    }

    async fn devices_are_filtered_and_paged_by_cursor(app) {
        let (token, app_id, key) = new_app(&app).await;
        for n in 0..5 {
            let platform = if n % 2 == 0 { "ios" } else { "android" };
            app.register_device(&key, &format!("device-{n}"), json!({"platform": platform})).await
                .assert_status(StatusCode::CREATED);
        }
        let devices = |q: &str| {
            let path = format!("apps/{app_id}/devices?{q}");
            let (app, token) = (&app, &token);
            async move { app.get(&path, token).await }
        };
        assert_eq!(devices("platform=android").await.body["total"], 2);
        assert_eq!(devices("push_enabled=false").await.body["total"], 0);
        assert_eq!(devices("model=iPhone%2015&os_version=17.4&app_version=2.0.0").await.body["total"], 5);
        let today = api::clock::now().date();
        assert_eq!(devices(&format!("last_seen_from={today}")).await.body["total"], 5);
        assert_eq!(devices(&format!("last_seen_to={}", today - Duration::days(1))).await.body["total"], 0);

        let mut seen = Vec::new();
        let mut query = "per_page=2".to_owned();
        loop {
            let page = devices(&query).await;
            page.assert_status(StatusCode::OK);
            seen.extend(page.body["items"].as_array().expect("items").iter()
                .map(|d| d["installation_id"].as_str().expect("id").to_owned()));
            match page.body["next_cursor"].as_str() {
                Some(cursor) => query = format!("per_page=2&cursor={cursor}"),
                None => break,
            }
        }
        assert_eq!(seen, ["device-4", "device-3", "device-2", "device-1", "device-0"]);
        assert_eq!(devices("cursor=abc").await.error_fields(), ["cursor"]);
    }
}

/// The day Europe/Amsterdam last changed its clocks at least `margin` days ago (a day that is not
/// 24 hours long), found with the server's own bucketing.
fn last_dst_change(margin: i64) -> NaiveDate {
    use api::analytics::Plan;
    use types::analytics::{AnalyticsQuery, Interval};
    let today = api::clock::now().date();
    let query = AnalyticsQuery {
        from: Some(today - Duration::days(margin + 250)),
        to: Some(today - Duration::days(margin)),
        interval: Some(Interval::Day),
        tz: Some("Europe/Amsterdam".into()),
    };
    let plan = Plan::new(&query, api::clock::now()).expect("plan");
    let ends = plan.starts.iter().skip(1).chain([&plan.end]);
    plan.starts
        .iter()
        .zip(ends)
        .zip(&plan.days)
        .filter(|((start, end), _)| **end - **start != Duration::hours(24))
        .map(|(_, day)| *day)
        .last()
        .expect("a clock change within 250 days")
}

/// Checks the analytics the API answers (from the rollups) against the same query computed from
/// the raw events: equal, except active devices past the exact limit of a sketch, which must be
/// within 5 %. Returns how many figures were compared.
async fn compare_with_events(
    app: &TestApp,
    token: &str,
    app_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> usize {
    use api::analytics::Plan;
    use types::analytics::{AnalyticsQuery, Interval};
    let id: i64 = app_id.parse().expect("numeric id");
    let mut compared = 0;
    let zones = [
        "UTC",
        "Europe/Amsterdam",
        "America/New_York",
        "Asia/Kolkata",
        "Asia/Kathmandu",
        "Australia/Adelaide",
        "Pacific/Chatham",
    ];
    for tz in zones {
        for (interval, name) in [
            (Interval::Day, "day"),
            (Interval::Week, "week"),
            (Interval::Month, "month"),
        ] {
            let answered = app
                .get(
                    &format!("apps/{app_id}/analytics?from={from}&to={to}&interval={name}&tz={tz}"),
                    token,
                )
                .await;
            answered.assert_status(StatusCode::OK);
            let query = AnalyticsQuery {
                from: Some(from),
                to: Some(to),
                interval: Some(interval),
                tz: Some(tz.into()),
            };
            let plan = Plan::new(&query, api::clock::now()).expect("plan");
            let db = app.db.clone();
            let raw = tokio::task::spawn_blocking(move || {
                let mut conn = db.get().expect("connection");
                plan.run_from_events(&mut conn, id).expect("raw figures")
            })
            .await
            .expect("joined");
            let raw = serde_json::to_value(raw).expect("json");
            let answered_buckets = answered.body["buckets"].as_array().expect("buckets");
            let raw_buckets = raw["buckets"].as_array().expect("buckets");
            assert_eq!(answered_buckets.len(), raw_buckets.len(), "{tz} by {name}");
            let pairs = answered_buckets
                .iter()
                .zip(raw_buckets)
                .chain([(&answered.body["totals"], &raw["totals"])]);
            for (got, want) in pairs {
                // A bucket's figures are beside its start; the totals are figures alone.
                let (mut got, mut want) = (got.clone(), want.clone());
                let active = |v: &mut Value| {
                    let figures = if v.get("figures").is_some() {
                        &mut v["figures"]
                    } else {
                        v
                    };
                    figures["active_devices"].take().as_i64().expect("active")
                };
                let (active_got, active_want) = (active(&mut got), active(&mut want));
                assert_eq!(got, want, "{tz} by {name}");
                if usize::try_from(active_want).expect("count") <= api::sketch::EXACT_LIMIT {
                    assert_eq!(active_got, active_want, "active devices, {tz} by {name}");
                } else {
                    let error = (active_got - active_want).abs() * 100 / active_want;
                    assert!(
                        error < 5,
                        "active devices, {tz} by {name}: {active_got} for {active_want}"
                    );
                }
                compared += 1;
            }
        }
    }
    compared
}

/// Runs `f` on a connection of the test database, off the async threads.
async fn with_db<T: Send + 'static>(
    app: &TestApp,
    f: impl FnOnce(&mut api::db::DbConn) -> T + Send + 'static,
) -> T {
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || f(&mut db.get().expect("connection")))
        .await
        .expect("joined")
}

fn count(conn: &mut api::db::DbConn, table: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::RunQueryDsl::get_result::<Count>(
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")),
        conn,
    )
    .expect("counted")
    .n
}

/// Generated traffic around a clock change, read with the fold job off: first all from the queue,
/// then folded into the rollups, then rebuilt from the raw events — equal to the raw events each
/// time.
mod analytics_from_rollups_equal_the_raw_events_in_every_zone_across_a_clock_change {
    use super::*;
    use crate::helpers::Backend;

    #[tokio::test]
    async fn sqlite() {
        run(Backend::Sqlite).await;
    }

    #[tokio::test]
    async fn postgres() {
        run(Backend::Postgres).await;
    }

    async fn run(backend: Backend) {
        use rand::{Rng, SeedableRng};
        let Some(app) = TestApp::spawn_with(backend, |s| s.analytics_fold_secs = 0).await else {
            return;
        };
        // A Standard app: it takes orders too.
        let (_, token, app_id, key) = crate::orders::standard_app(&app).await;
        let change = last_dst_change(12);
        let (from, to) = (change - Duration::days(8), change + Duration::days(8));
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let instant = |rng: &mut rand::rngs::StdRng| {
            let day = from - Duration::days(1) + Duration::days(rng.gen_range(0..19));
            day.and_hms_opt(
                rng.gen_range(0..24),
                rng.gen_range(0..60),
                rng.gen_range(0..60),
            )
            .expect("time")
            .and_utc()
        };
        // 600 devices: more than a sketch keeps exactly over the whole range, fewer in any day.
        let devices = 600;
        for n in 0..devices {
            let installed = instant(&mut rng).to_rfc3339();
            app.register_device(
                &key,
                &format!("install-{n:04}"),
                json!({"installed_at": installed}),
            )
            .await
            .assert_status(StatusCode::CREATED);
        }
        let mut sent_sessions = 0;
        for batch in 0..25 {
            let events: Vec<Value> = (0..100)
                .map(|i| {
                    let device = format!("install-{:04}", rng.gen_range(0..devices));
                    let at = instant(&mut rng).to_rfc3339();
                    let id = format!("event-{batch:03}-{i:03}");
                    match rng.gen_range(0..5) {
                        0 | 1 => json!({"id": id, "type": "session_start", "installation_id": device, "at": at}),
                        2 | 3 => json!({"id": id, "type": "session_end", "installation_id": device, "at": at,
                                        "duration_secs": rng.gen_range(1..900)}),
                        _ => json!({"id": id, "type": "push_open", "installation_id": device, "at": at, "message_id": "m"}),
                    }
                })
                .collect();
            sent_sessions += events
                .iter()
                .filter(|e| e["type"] == "session_start")
                .count();
            let body = json!({"events": events});
            app.sdk("events", &key, body.clone())
                .await
                .assert_status(StatusCode::ACCEPTED);
            if batch % 5 == 0 {
                // Sent again (a retry after a lost answer): nothing is counted twice.
                let again = app.sdk("events", &key, body).await;
                assert_eq!(again.body["duplicates"], 100);
            }
        }
        // Orders in two currencies.
        for n in 0..40 {
            let placed = instant(&mut rng).to_rfc3339();
            let currency = if n % 3 == 0 { "USD" } else { "EUR" };
            let order = crate::orders::order(&format!("A-{n:04}"));
            let body =
                crate::orders::with(order, json!({"placed_at": placed, "currency": currency}));
            app.sdk("orders", &key, body)
                .await
                .assert_status(StatusCode::CREATED);
        }
        let range = app
            .get(
                &format!(
                    "apps/{app_id}/analytics?from={}&to={}",
                    from - Duration::days(1),
                    to + Duration::days(1)
                ),
                &token,
            )
            .await;
        assert_eq!(
            range.body["totals"]["sessions"], sent_sessions,
            "every session is counted once"
        );
        assert_eq!(range.body["totals"]["orders"], 40);

        // Everything is still queued.
        let queued = with_db(&app, |conn| {
            (
                count(conn, "analytics_pending"),
                count(conn, "analytics_quarters"),
            )
        })
        .await;
        assert!(queued.0 > 100 && queued.1 == 0, "{queued:?}");
        let compared = compare_with_events(&app, &token, &app_id, from, to).await;
        assert!(compared > 100, "{compared} figures compared");

        // Folded in chunks (as several servers would), the rollups answer the same.
        let folded = with_db(&app, |conn| {
            let mut folded = 0;
            loop {
                match api::db::rollups::fold_pending(conn, 500).expect("folded") {
                    0 => break folded,
                    n => folded += n,
                }
            }
        })
        .await;
        assert_eq!(folded, usize::try_from(queued.0).expect("count"));
        assert_eq!(
            with_db(&app, |conn| count(conn, "analytics_pending")).await,
            0
        );
        compare_with_events(&app, &token, &app_id, from, to).await;

        // Rebuilt from the events (after losing some), the rollups answer the same.
        let id: i64 = app_id.parse().expect("id");
        let rebuilt = with_db(&app, move |conn| {
            diesel::RunQueryDsl::execute(diesel::sql_query("DELETE FROM analytics_quarters"), conn)
                .expect("deleted");
            api::db::rollups::rebuild_all(conn, Some(id)).expect("rebuilt")
        })
        .await;
        assert_eq!(rebuilt.1.installs, devices);
        assert_eq!(rebuilt.1.events, 25 * 100);
        compare_with_events(&app, &token, &app_id, from, to).await;
    }
}

both_backends! {
    async fn the_fold_job_moves_what_intakes_queue_into_the_rollups(app) {
        let (token, app_id, key) = new_app(&app).await;
        let d = api::clock::now().date() - Duration::days(3);
        app.register_device(&key, "device-a", json!({"installed_at": at(d, 8, 0)})).await.assert_status(StatusCode::CREATED);
        app.sdk("events", &key, json!({"events": session("device-a", d, 9, 0, 120)})).await.assert_status(StatusCode::ACCEPTED);
        // The server folds every second: wait for the queue to empty (a minute at most).
        let mut left = -1;
        for _ in 0..600 {
            left = with_db(&app, |conn| count(conn, "analytics_pending")).await;
            if left == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(left, 0, "the queue is folded");
        assert_eq!(with_db(&app, |conn| count(conn, "analytics_quarters")).await, 2, "the install's quarter and the session's");
        let answered = app.get(&format!("apps/{app_id}/analytics?from={d}&to={d}"), &token).await;
        assert_eq!(figures(&answered.body["totals"]), (1, 1, 1, 120.0, 0));
    }
}
