//! Analytics from the rollups equal the raw events: generated traffic around a clock change in every zone, and the fold job.

use super::*;

/// The day Europe/Amsterdam last changed its clocks at least `margin` days ago (a day that is not
/// 24 hours long), found with the server's own bucketing.
pub(super) fn last_dst_change(margin: i64) -> NaiveDate {
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
pub(super) async fn compare_with_events(
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
pub(super) async fn with_db<T: Send + 'static>(
    app: &TestApp,
    f: impl FnOnce(&mut api::db::DbConn) -> T + Send + 'static,
) -> T {
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || f(&mut db.get().expect("connection")))
        .await
        .expect("joined")
}

pub(super) fn count(conn: &mut api::db::DbConn, table: &str) -> i64 {
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
