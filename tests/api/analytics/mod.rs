//! Devices, their summary and analytics, checked against hand-counted traffic.

use chrono::{Duration, NaiveDate};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;

mod rollups;

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
