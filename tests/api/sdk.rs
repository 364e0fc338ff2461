//! The SDK API: what mobile apps send with their `X-App-Key`.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;

/// A customer's app: (customer token, app id, app key).
async fn app_of_kind(app: &TestApp, kind: &str) -> (String, String, String) {
    let (_, token) = app.customer("shop@example.com", None).await;
    let created = app
        .create_app(
            &token,
            json!({"kind": kind, "store_url": "https://shop.example"}),
        )
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let key = created["app_key"].as_str().expect("key").to_owned();
    (token, id, key)
}

fn minutes_ago(minutes: i64) -> String {
    (api::clock::now().and_utc() - chrono::Duration::minutes(minutes)).to_rfc3339()
}

both_backends! {
    async fn registering_a_device_twice_updates_it(app) {
        let (token, app_id, key) = app_of_kind(&app, "standalone").await;
        let installed = minutes_ago(60 * 24 * 3);
        let first = app.register_device(&key, "install-0001", json!({"installed_at": installed})).await;
        first.assert_status(StatusCode::CREATED);
        assert_eq!(first.body["created"], true);
        let again = app
            .register_device(&key, "install-0001", json!({"app_version": "2.1.0", "push_enabled": false}))
            .await;
        again.assert_status(StatusCode::OK);
        assert_eq!(again.body["device_id"], first.body["device_id"]);
        assert_eq!(again.body["created"], false);

        let devices = app.get(&format!("apps/{app_id}/devices"), &token).await;
        assert_eq!(devices.body["total"], 1);
        let device = &devices.body["items"][0];
        assert_eq!(device["app_version"], "2.1.0");
        assert_eq!(device["push_enabled"], false);
        let first_seen = chrono::DateTime::parse_from_rfc3339(device["first_seen_at"].as_str().expect("time")).expect("time");
        let installed = chrono::DateTime::parse_from_rfc3339(&installed).expect("time");
        assert!((first_seen - installed).num_seconds().abs() <= 1, "the install time of the first registration stays");
    }

    async fn sdk_calls_need_a_valid_app_key(app) {
        let (_, _, key) = app_of_kind(&app, "standalone").await;
        let no_key = app
            .client
            .post(app.url("sdk/devices"))
            .json(&json!({}))
            .send()
            .await
            .expect("sent");
        assert_eq!(no_key.status(), StatusCode::UNAUTHORIZED);
        app.register_device("ak_unknown", "install-0001", json!({})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_app_key");
        app.register_device(&key, "install-0001", json!({})).await.assert_status(StatusCode::CREATED);
        // A user token is not an app key.
        let (_, user_token) = app.customer("other@example.com", None).await;
        app.register_device(&user_token, "install-0002", json!({})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_app_key");
    }

    async fn events_move_their_devices_last_seen_forward_never_back(app) {
        let (token, app_id, key) = app_of_kind(&app, "standalone").await;
        let installed = minutes_ago(60 * 24 * 10);
        for installation in ["install-0001", "install-0002", "install-0003"] {
            app.register_device(&key, installation, json!({"installed_at": installed})).await.assert_status(StatusCode::CREATED);
        }
        let last_seen = || async {
            let page = app.get(&format!("apps/{app_id}/devices?per_page=10"), &token).await;
            let mut seen: Vec<(String, String)> = page.body["items"].as_array().expect("items").iter()
                .map(|d| (d["installation_id"].as_str().unwrap_or_default().to_owned(), d["last_seen_at"].as_str().unwrap_or_default().to_owned()))
                .collect();
            seen.sort();
            seen.into_iter().map(|(_, at)| chrono::DateTime::parse_from_rfc3339(&at).expect("time").to_utc()).collect::<Vec<_>>()
        };
        let registered = last_seen().await;
        // Two devices report: each moves to its latest event; the third stays as it was.
        let at = |minutes: i64| api::clock::now().and_utc() - chrono::Duration::minutes(minutes);
        let batch = json!({"events": [
            {"type": "session_start", "installation_id": "install-0001", "at": at(30).to_rfc3339()},
            {"type": "session_start", "installation_id": "install-0001", "at": at(50).to_rfc3339()},
            {"type": "session_start", "installation_id": "install-0002", "at": at(5).to_rfc3339()},
        ]});
        app.sdk("events", &key, batch).await.assert_status(StatusCode::ACCEPTED);
        let moved = last_seen().await;
        let near = |a: chrono::DateTime<chrono::Utc>, b: chrono::DateTime<chrono::Utc>| (a - b).num_seconds().abs() <= 1;
        assert!(near(moved[0], at(30)) && near(moved[1], at(5)), "{moved:?}");
        assert_eq!(moved[2], registered[2]);
        // An older event (an app that was offline) does not move it back.
        let late = json!({"events": [{"type": "session_start", "installation_id": "install-0002", "at": at(60 * 24).to_rfc3339()}]});
        app.sdk("events", &key, late).await.assert_status(StatusCode::ACCEPTED);
        assert_eq!(last_seen().await, moved);
    }

    async fn a_batch_with_one_bad_event_stores_nothing(app) {
        let (token, app_id, key) = app_of_kind(&app, "standalone").await;
        app.register_device(&key, "install-0001", json!({})).await.assert_status(StatusCode::CREATED);
        let good = json!({"type": "session_start", "installation_id": "install-0001", "at": minutes_ago(30)});
        let batch = json!({"events": [
            good,
            {"type": "session_end", "installation_id": "install-0001", "at": minutes_ago(20)},
            {"type": "session_start", "installation_id": "install-9999", "at": minutes_ago(20)},
            {"type": "push_open", "installation_id": "install-0001", "at": minutes_ago(-60), "message_id": "m1"},
        ]});
        let refused = app.sdk("events", &key, batch).await;
        refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(
            refused.error_fields(),
            ["events[1].duration_secs", "events[2].installation_id", "events[3].at"]
        );
        let analytics = app.get(&format!("apps/{app_id}/analytics"), &token).await;
        assert_eq!(analytics.body["totals"]["sessions"], 0, "not even the good event was stored");

        let accepted = app.sdk("events", &key, json!({"events": [good]})).await;
        accepted.assert_status(StatusCode::ACCEPTED);
        assert_eq!(accepted.body["accepted"], 1);
        let analytics = app.get(&format!("apps/{app_id}/analytics"), &token).await;
        assert_eq!(analytics.body["totals"]["sessions"], 1);
    }

    async fn a_batch_sent_again_stores_only_the_events_not_yet_reported(app) {
        let (token, app_id, key) = app_of_kind(&app, "standalone").await;
        for installation in ["install-0001", "install-0002"] {
            app.register_device(&key, installation, json!({})).await.assert_status(StatusCode::CREATED);
        }
        let start = |id: &str, installation: &str| json!({
            "id": id, "type": "session_start", "installation_id": installation, "at": minutes_ago(10)
        });
        let first = json!({"events": [start("event-0001", "install-0001"), start("event-0002", "install-0001")]});
        let stored = app.sdk("events", &key, first.clone()).await;
        stored.assert_status(StatusCode::ACCEPTED);
        assert_eq!((&stored.body["accepted"], &stored.body["duplicates"]), (&json!(2), &json!(0)));

        // The answer was lost; the app sends the batch again with one new event, one repeated
        // within the batch, one without an id, and another installation reusing an id.
        let mut again = first["events"].as_array().expect("events").clone();
        again.extend([
            start("event-0003", "install-0001"),
            start("event-0003", "install-0001"),
            json!({"type": "session_start", "installation_id": "install-0001", "at": minutes_ago(5)}),
            start("event-0001", "install-0002"),
        ]);
        let resent = app.sdk("events", &key, json!({"events": again})).await;
        resent.assert_status(StatusCode::ACCEPTED);
        assert_eq!((&resent.body["accepted"], &resent.body["duplicates"]), (&json!(3), &json!(3)));
        let analytics = app.get(&format!("apps/{app_id}/analytics"), &token).await;
        assert_eq!(analytics.body["totals"]["sessions"], 5);

        let bad_ids = json!({"events": [start("short", "install-0001"), start("has space in it", "install-0001")]});
        assert_eq!(
            app.sdk("events", &key, bad_ids).await.error_fields(),
            ["events[0].id", "events[1].id"]
        );
    }

    async fn a_batch_holds_one_to_five_hundred_events(app) {
        let (_, _, key) = app_of_kind(&app, "standalone").await;
        app.register_device(&key, "install-0001", json!({})).await.assert_status(StatusCode::CREATED);
        let event = json!({"type": "session_start", "installation_id": "install-0001", "at": minutes_ago(5)});
        let full: Vec<Value> = vec![event.clone(); 500];
        app.sdk("events", &key, json!({"events": full})).await.assert_status(StatusCode::ACCEPTED);
        let over: Vec<Value> = vec![event; 501];
        let refused = app.sdk("events", &key, json!({"events": over})).await;
        assert_eq!(refused.error_fields(), ["events"]);
        assert_eq!(app.sdk("events", &key, json!({"events": []})).await.error_fields(), ["events"]);
    }

    async fn standalone_apps_register_mobile_users_and_magento_apps_refuse_them(app) {
        let (token, app_id, key) = app_of_kind(&app, "standalone").await;
        let user = json!({"email": "Sam@Mail.example", "first_name": "Sam", "last_name": "Bakker"});
        let created = app.sdk("mobile-users", &key, user.clone()).await;
        created.assert_status(StatusCode::CREATED);
        let handle = created.body["mobile_user_ref"].as_str().expect("handle").to_owned();
        assert!(handle.starts_with("mu_") && handle.len() > 20, "{handle}");
        let users = app.get(&format!("apps/{app_id}/mobile-users"), &token).await;
        assert_eq!(users.body["items"][0]["email"], "sam@mail.example");

        // The same email again (a stranger with the public key, or the app on a new phone): the same
        // answer, the same handle, nothing changed — the key tells nobody who is a shopper here.
        let stranger = json!({"email": "SAM@mail.example", "first_name": "Not", "last_name": "Sam"});
        let again = app.sdk("mobile-users", &key, stranger).await;
        assert_eq!((again.status, &again.body), (created.status, &created.body));
        assert!(again.header("location").is_none() && created.header("location").is_none());
        let users = app.get(&format!("apps/{app_id}/mobile-users"), &token).await;
        assert_eq!(users.body["total"], 1);
        assert_eq!(users.body["items"][0]["first_name"], "Sam");
        // A new email answers a handle of the same shape that says nothing of the order of sign-ups.
        let other = app.sdk("mobile-users", &key, json!({"email": "kim@mail.example", "first_name": "Kim", "last_name": "Lee"})).await;
        other.assert_status(StatusCode::CREATED);
        assert_ne!(other.body["mobile_user_ref"], created.body["mobile_user_ref"]);

        let magento = app.create_app(&token, json!({"kind": "magento", "store_url": "https://shop.example"})).await;
        let magento_key = magento["app_key"].as_str().expect("key");
        app.sdk("mobile-users", magento_key, user).await
            .assert_problem(StatusCode::FORBIDDEN, "managed_by_magento");
    }
}

mod rate_limit {
    use super::*;

    async fn sdk_calls_are_rate_limited_per_app_key(app: TestApp) {
        let (token, _, key) = app_of_kind(&app, "standalone").await;
        let other = app.create_app(&token, json!({"name": "Other"})).await;
        let other_key = other["app_key"].as_str().expect("key");
        for n in 0..3 {
            app.register_device(&key, &format!("install-000{n}"), json!({}))
                .await
                .assert_status(StatusCode::CREATED);
        }
        let limited = app.register_device(&key, "install-0009", json!({})).await;
        limited.assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        let wait: u64 = limited
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .expect("Retry-After");
        assert!((1..=60).contains(&wait));
        app.register_device(other_key, "install-0009", json!({}))
            .await
            .assert_status(StatusCode::CREATED);
    }

    #[tokio::test]
    async fn sqlite() {
        let app =
            TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| s.sdk_rate_limit = 3).await;
        sdk_calls_are_rate_limited_per_app_key(app.expect("sqlite")).await;
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(app) =
            TestApp::spawn_with(crate::helpers::Backend::Postgres, |s| s.sdk_rate_limit = 3).await
        {
            sdk_calls_are_rate_limited_per_app_key(app).await;
        }
    }
}
