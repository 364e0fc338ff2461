//! Push messages: composing, targeting, scheduling and cancelling; deliveries through the local
//! fakes of FCM and APNs (dead tokens, 429 and 5xx retries), quiet hours, the daily cap, local
//! times, reports, and two senders sharing one database.

use chrono::{Duration, Timelike};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::fake_push::{self, FakePush};
use crate::helpers::{Backend, TestApp};

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// A server whose push gateways are the fake; the fake.
async fn with_fake(backend: Backend) -> Option<(TestApp, FakePush)> {
    let fake = FakePush::start();
    let app = TestApp::spawn_with(backend, |s| fake.configure(s)).await?;
    Some((app, fake))
}

/// A customer's app with both providers' credentials: (token, app id, app key).
async fn shop(app: &TestApp, email: &str) -> (String, String, String) {
    let (_, token) = app.customer(email, None).await;
    let created = app.create_app(&token, json!({"name": "Push Shop"})).await;
    let (app_id, key) = (
        id(&created),
        created["app_key"].as_str().expect("key").to_owned(),
    );
    app.call(
        reqwest::Method::PUT,
        &format!("apps/{app_id}/push-settings"),
        Some(&token),
        Some(json!({"fcm_service_account": fake_push::service_account(), "apns": fake_push::apns_credentials()})),
    )
    .await
    .assert_status(StatusCode::OK);
    (token, app_id, key)
}

/// Registers a device whose push token is `push_token` (its prefix tells the fake what to answer).
async fn device(
    app: &TestApp,
    key: &str,
    install: &str,
    platform: &str,
    push_token: &str,
    extra: Value,
) {
    let mut body = json!({"platform": platform, "push_token": push_token, "push_enabled": true});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    app.register_device(key, install, body)
        .await
        .assert_success();
}

async fn compose(app: &TestApp, token: &str, app_id: &str, body: Value) -> Value {
    let mut form = json!({"title": "Spring sale", "body": "Everything 20 % off until Sunday."});
    if let (Some(f), Some(b)) = (form.as_object_mut(), body.as_object()) {
        f.extend(b.clone());
    }
    let reply = app
        .post(&format!("apps/{app_id}/push-messages"), Some(token), form)
        .await;
    reply.assert_status(StatusCode::CREATED);
    reply.body
}

async fn message(app: &TestApp, token: &str, app_id: &str, msg: &str) -> Value {
    let reply = app
        .get(&format!("apps/{app_id}/push-messages/{msg}"), token)
        .await;
    reply.assert_status(StatusCode::OK);
    reply.body
}

async fn send_now(app: &TestApp, token: &str, app_id: &str, msg: &str) -> Value {
    let reply = app
        .post(
            &format!("apps/{app_id}/push-messages/{msg}/send"),
            Some(token),
            json!({}),
        )
        .await;
    reply.assert_status(StatusCode::OK);
    reply.body
}

async fn preview(app: &TestApp, token: &str, app_id: &str, target: Value) -> i64 {
    let reply = app
        .post(
            &format!("apps/{app_id}/push-messages/preview"),
            Some(token),
            json!({"target": target}),
        )
        .await;
    reply.assert_status(StatusCode::OK);
    reply.body["targeted"].as_i64().expect("a count")
}

fn stats(msg: &Value) -> (i64, i64, i64) {
    let s = &msg["stats"];
    (
        s["targeted"].as_i64().expect("targeted"),
        s["sent"].as_i64().expect("sent"),
        s["failed"].as_i64().expect("failed"),
    )
}

both_backends! {
    async fn a_message_is_drafted_targeted_scheduled_and_canceled(app) {
        let (token, app_id, key) = shop(&app, "composer@example.com").await;
        device(&app, &key, "install-ios-fr", "ios", "ok-1", json!({"locale": "fr-FR", "app_version": "2.10.0"})).await;
        device(&app, &key, "install-and-nl", "android", "ok-2", json!({"locale": "nl_NL", "app_version": "2.9.1"})).await;
        device(&app, &key, "install-and-old", "android", "ok-3", json!({"locale": "fr", "app_version": "1.4"})).await;
        device(&app, &key, "install-no-push", "android", "ok-4", json!({"push_enabled": false})).await;

        assert_eq!(preview(&app, &token, &app_id, json!(null)).await, 3, "push on only");
        assert_eq!(preview(&app, &token, &app_id, json!({"platforms": ["android"]})).await, 2);
        assert_eq!(preview(&app, &token, &app_id, json!({"app_version_min": "2.9"})).await, 2, "2.10 is after 2.9");
        assert_eq!(preview(&app, &token, &app_id, json!({"app_version_min": "2.0", "app_version_max": "2.9.5"})).await, 1);
        assert_eq!(preview(&app, &token, &app_id, json!({"locales": ["fr"]})).await, 2, "fr takes fr-FR");
        assert_eq!(preview(&app, &token, &app_id, json!({"locales": ["nl-NL"], "platforms": ["android"]})).await, 1);
        // Two devices were last seen ten days ago.
        let db = app.db.clone();
        tokio::task::spawn_blocking(move || {
            use diesel::prelude::*;
            use api::db::schema::devices;
            let mut conn = db.get().expect("connection");
            diesel::update(devices::table.filter(devices::installation_id.ne("install-ios-fr")))
                .set(devices::last_seen_at.eq(db.clock().now() - Duration::days(10)))
                .execute(&mut conn)
                .expect("last seen");
        }).await.expect("blocking");
        assert_eq!(preview(&app, &token, &app_id, json!({"last_seen_within_days": 5})).await, 1);

        let draft = compose(&app, &token, &app_id, json!({"deep_link": "myshop://sale/spring",
            "data": {"campaign": "spring"}, "target": {"platforms": ["ios"]}})).await;
        assert_eq!(draft["status"], "draft");
        assert_eq!(draft["target"], json!({"platforms": ["ios"]}));
        assert_eq!(draft["data"], json!({"campaign": "spring"}));
        let msg = id(&draft);

        // Scheduling is an edit; a stale ETag is refused.
        let first = app.get(&format!("apps/{app_id}/push-messages/{msg}"), &token).await;
        let etag = first.header("etag").expect("etag").to_owned();
        let at = (api::clock::now().and_utc() + Duration::days(11)).to_rfc3339();
        let edited = app.client
            .patch(app.url(&format!("apps/{app_id}/push-messages/{msg}")))
            .bearer_auth(&token).header("if-match", &etag)
            .json(&json!({"send_at": at, "title": "Spring sale!"})).send().await.expect("sent");
        assert_eq!(edited.status(), StatusCode::OK);
        let stale = app.client
            .patch(app.url(&format!("apps/{app_id}/push-messages/{msg}")))
            .bearer_auth(&token).header("if-match", &etag)
            .json(&json!({"title": "Again"})).send().await.expect("sent");
        assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
        let scheduled = message(&app, &token, &app_id, &msg).await;
        assert_eq!((scheduled["status"].as_str(), scheduled["title"].as_str()), (Some("scheduled"), Some("Spring sale!")));

        // Not due yet: the sender leaves it.
        app.send_pushes().await;
        assert_eq!(message(&app, &token, &app_id, &msg).await["status"], "scheduled");

        let list = app.get(&format!("apps/{app_id}/push-messages?status=scheduled"), &token).await;
        list.assert_status(StatusCode::OK);
        assert_eq!(list.body["total"], 1);

        let canceled = app.post(&format!("apps/{app_id}/push-messages/{msg}/cancel"), Some(&token), json!({})).await;
        canceled.assert_status(StatusCode::OK);
        assert_eq!(canceled.body["status"], "canceled");
        app.patch(&format!("apps/{app_id}/push-messages/{msg}"), &token, json!({"title": "x"}))
            .await
            .assert_problem(StatusCode::CONFLICT, "illegal_transition");
        app.post(&format!("apps/{app_id}/push-messages/{msg}/cancel"), Some(&token), json!({}))
            .await
            .assert_problem(StatusCode::CONFLICT, "illegal_transition");
        app.clock.advance(Duration::days(2));
        let report = app.send_pushes().await;
        assert_eq!((report.started, report.sent, report.retried), (0, 0, 0), "a canceled message never goes");
        assert_eq!(stats(&message(&app, &token, &app_id, &msg).await), (0, 0, 0));

        // A draft can be deleted; a canceled message stays.
        let other = compose(&app, &token, &app_id, json!({})).await;
        app.delete(&format!("apps/{app_id}/push-messages/{}", id(&other)), &token)
            .await
            .assert_status(StatusCode::NO_CONTENT);
        app.delete(&format!("apps/{app_id}/push-messages/{msg}"), &token)
            .await
            .assert_problem(StatusCode::CONFLICT, "illegal_transition");

        let audit = app.get("audit-events", &token).await;
        let actions: Vec<&str> = audit.body["items"].as_array().expect("items").iter()
            .filter_map(|e| e["action"].as_str()).collect();
        for action in ["push_message.create", "push_message.update", "push_message.cancel", "push_message.delete", "push_settings.update"] {
            assert!(actions.contains(&action), "{action} audited: {actions:?}");
        }
    }

    async fn a_message_goes_through_fcm_and_apns_and_its_report_fills(app) {
        let Some((app, fake)) = with_fake(app_backend(&app)).await else { return };
        let (token, app_id, key) = shop(&app, "sender@example.com").await;
        // The settings say what is configured, never the keys.
        let settings = app.get(&format!("apps/{app_id}/push-settings"), &token).await;
        settings.assert_status(StatusCode::OK);
        assert_eq!(settings.body["fcm"]["project_id"], fake_push::PROJECT);
        assert_eq!(settings.body["fcm"]["key_id"], fake_push::FCM_KEY_ID);
        assert_eq!(settings.body["apns"]["key_id"], fake_push::APNS_KEY_ID);
        assert!(!settings.body.to_string().contains("PRIVATE KEY"));
        let stored: Vec<String> = {
            let db = app.db.clone();
            tokio::task::spawn_blocking(move || {
                use diesel::prelude::*;
                let mut conn = db.get().expect("connection");
                api::db::schema::push_settings::table
                    .select(api::db::schema::push_settings::fcm_credentials.assume_not_null())
                    .load::<String>(&mut conn).expect("settings")
            }).await.expect("blocking")
        };
        assert!(stored.iter().all(|s| !s.contains("PRIVATE") && s.starts_with("v1:")), "sealed at rest");

        device(&app, &key, "install-and-ok", "android", "ok-a1", json!({})).await;
        device(&app, &key, "install-and-unreg", "android", "unreg-a2", json!({})).await;
        device(&app, &key, "install-and-invalid", "android", "invalid-a3", json!({})).await;
        device(&app, &key, "install-ios-ok", "ios", "ok-i1", json!({})).await;
        device(&app, &key, "install-ios-gone", "ios", "unreg-i2", json!({})).await;
        device(&app, &key, "install-ios-bad", "ios", "invalid-i3", json!({})).await;

        let msg = compose(&app, &token, &app_id, json!({"deep_link": "myshop://sale", "image_url": "https://cdn.example.com/s.jpg", "data": {"campaign": "spring"}})).await;
        let msg = id(&msg);
        let sending = send_now(&app, &token, &app_id, &msg).await;
        assert_eq!(sending["status"], "sending");
        let report = app.send_pushes().await;
        assert_eq!((report.sent, report.failed), (2, 4));
        let done = message(&app, &token, &app_id, &msg).await;
        assert_eq!(done["status"], "sent");
        assert_eq!(stats(&done), (6, 2, 4));
        let failures = done["failures"].as_array().expect("failures");
        assert!(failures.contains(&json!({"reason": "unregistered", "count": 2})), "{failures:?}");
        assert!(failures.contains(&json!({"reason": "bad_token", "count": 2})), "{failures:?}");

        // What the providers got: HTTP/2, one access token for every FCM push, the content.
        let pushes = fake.pushes();
        assert_eq!(pushes.len(), 6);
        assert!(pushes.iter().all(|p| p.http2), "HTTP/2 to the providers");
        assert_eq!(fake.token_requests(), 1, "the access token is cached");
        let fcm = pushes.iter().find(|p| p.token == "ok-a1").expect("fcm push");
        assert_eq!(fcm.provider, "fcm");
        assert_eq!(fcm.body["message"]["notification"]["title"], "Spring sale");
        assert_eq!(fcm.body["message"]["notification"]["image"], "https://cdn.example.com/s.jpg");
        assert_eq!(fcm.body["message"]["data"], json!({"campaign": "spring", "deep_link": "myshop://sale", "message_id": msg}));
        let apns = pushes.iter().find(|p| p.token == "ok-i1").expect("apns push");
        assert_eq!(apns.provider, "apns");
        assert_eq!(apns.body["aps"]["alert"]["body"], "Everything 20 % off until Sunday.");
        assert_eq!(apns.body["aps"]["mutable-content"], 1);
        assert_eq!(apns.body["message_id"], json!(msg));

        // Dead tokens are not targeted again, until the app registers a new one.
        assert_eq!(preview(&app, &token, &app_id, json!(null)).await, 2);
        device(&app, &key, "install-ios-gone", "ios", "ok-i2-new", json!({})).await;
        assert_eq!(preview(&app, &token, &app_id, json!(null)).await, 3);
        device(&app, &key, "install-ios-gone", "ios", "ok-i2-new", json!({})).await;
        assert_eq!(preview(&app, &token, &app_id, json!(null)).await, 3, "the same live token again");

        // Opens come from the SDK's push_open events.
        let at = api::clock::now().and_utc().to_rfc3339();
        app.sdk("events", &key, json!({"events": [
            {"type": "push_open", "installation_id": "install-and-ok", "at": at, "message_id": msg},
            {"type": "push_open", "installation_id": "install-and-ok", "at": at, "message_id": msg},
        ]})).await.assert_success();
        let opened = message(&app, &token, &app_id, &msg).await;
        assert_eq!(opened["stats"]["opened"], 1, "devices, not events");
        assert_eq!(opened["stats"]["open_rate"], 0.5);
        let timeline = opened["timeline"].as_array().expect("timeline");
        assert_eq!(timeline.iter().map(|p| p["sent"].as_i64().unwrap_or(0)).sum::<i64>(), 2);
        assert_eq!(timeline.iter().map(|p| p["opened"].as_i64().unwrap_or(0)).sum::<i64>(), 2);

        // A test send goes to one device now, and is not counted.
        let test = app.post(&format!("apps/{app_id}/push-messages/{msg}/test"), Some(&token), json!({"installation_id": "install-ios-ok"})).await;
        test.assert_status(StatusCode::OK);
        assert_eq!((test.body["delivered"].as_bool(), test.body["gateway"].as_str()), (Some(true), Some("apns")));
        assert_eq!(stats(&message(&app, &token, &app_id, &msg).await), (6, 2, 4));
        let refused = app.post(&format!("apps/{app_id}/push-messages/{msg}/test"), Some(&token), json!({"installation_id": "install-and-invalid"})).await;
        refused.assert_status(StatusCode::OK);
        assert_eq!((refused.body["delivered"].as_bool(), refused.body["reason"].as_str()), (Some(false), Some("bad_token")));
        app.post(&format!("apps/{app_id}/push-messages/{msg}/test"), Some(&token), json!({"installation_id": "install-unknown"}))
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        // A sent message is no longer edited, sent or canceled.
        send_again_refused(&app, &token, &app_id, &msg).await;
    }

    async fn rate_limits_and_server_errors_are_retried_and_other_refusals_are_not(app) {
        let Some((app, fake)) = with_fake(app_backend(&app)).await else { return };
        let (token, app_id, key) = shop(&app, "retries@example.com").await;
        device(&app, &key, "install-busy-1", "android", "busy-1", json!({})).await;
        device(&app, &key, "install-flaky-1", "ios", "flaky-1", json!({})).await;
        device(&app, &key, "install-down-1", "android", "down-1", json!({})).await;
        let msg = id(&compose(&app, &token, &app_id, json!({})).await);
        send_now(&app, &token, &app_id, &msg).await;

        let first = app.send_pushes().await;
        assert_eq!((first.sent, first.failed, first.retried), (0, 0, 3));
        // The 500 is tried again after a second; the 429 waits for its Retry-After (30 s).
        app.clock.advance(Duration::seconds(2));
        let second = app.send_pushes().await;
        assert_eq!((second.sent, second.retried), (1, 1), "flaky sent, down retried, busy waiting");
        assert_eq!(fake.delivered().get("busy-1"), None);
        app.clock.advance(Duration::seconds(30));
        let third = app.send_pushes().await;
        assert_eq!(third.sent, 1, "busy sent after its Retry-After");
        // The unavailable provider is given up on after 5 attempts, backing off.
        for _ in 0..6 {
            app.clock.advance(Duration::seconds(40));
            app.send_pushes().await;
        }
        let done = message(&app, &token, &app_id, &msg).await;
        assert_eq!(done["status"], "sent");
        assert_eq!(stats(&done), (3, 2, 1));
        assert_eq!(done["failures"], json!([{"reason": "provider_error", "count": 1}]));
        let down_tries = fake.pushes().iter().filter(|p| p.token == "down-1").count();
        assert_eq!(down_tries, 5);
        assert_eq!(fake.pushes().iter().filter(|p| p.token == "busy-1").count(), 2);
    }

    async fn scheduled_and_local_time_messages_go_out_at_their_instants(app) {
        let Some((app, fake)) = with_fake(app_backend(&app)).await else { return };
        let (token, app_id, key) = shop(&app, "clock@example.com").await;
        device(&app, &key, "install-tokyo", "android", "ok-tokyo", json!({"timezone": "Asia/Tokyo"})).await;
        device(&app, &key, "install-paris", "ios", "ok-paris", json!({"timezone": "Europe/Paris"})).await;

        let at = app.clock.now() + Duration::hours(2);
        let scheduled = compose(&app, &token, &app_id, json!({"send_at": at.and_utc().to_rfc3339()})).await;
        assert_eq!(scheduled["status"], "scheduled");
        app.clock.advance(Duration::minutes(119));
        app.send_pushes().await;
        assert!(fake.pushes().is_empty(), "not before its time");
        app.clock.advance(Duration::minutes(2));
        let report = app.send_pushes().await;
        assert_eq!((report.started, report.sent), (1, 2));

        // 10:00 in each device's zone: Tokyo's comes first, then Paris's (8 or 9 hours later).
        let now = app.clock.now();
        let mut dues = vec![
            (api::push::next_local(now, api::push::zone(Some("Asia/Tokyo")), 600), "ok-tokyo"),
            (api::push::next_local(now, api::push::zone(Some("Europe/Paris")), 600), "ok-paris"),
        ];
        dues.sort();
        // Clearing a local time makes a draft (not a message sent at once).
        let undone = id(&compose(&app, &token, &app_id, json!({"local_time": "10:00"})).await);
        let draft = app.patch(&format!("apps/{app_id}/push-messages/{undone}"), &token, json!({"local_time": null})).await;
        draft.assert_status(StatusCode::OK);
        assert_eq!((draft.body["status"].as_str(), draft.body["send_at"].as_str()), (Some("draft"), None));
        let local = compose(&app, &token, &app_id, json!({"local_time": "10:00"})).await;
        assert_eq!(local["status"], "scheduled");
        let local = id(&local);
        app.send_pushes().await;
        assert_eq!(message(&app, &token, &app_id, &local).await["status"], "sending");
        let before = fake.pushes().len();
        for (due, token_name) in dues {
            let wait = due - app.clock.now();
            app.clock.advance(wait - Duration::seconds(1));
            app.send_pushes().await;
            assert!(!fake.pushes()[before..].iter().any(|p| p.token == token_name), "{token_name} not a second early");
            app.clock.advance(Duration::seconds(2));
            app.send_pushes().await;
            assert!(fake.pushes()[before..].iter().any(|p| p.token == token_name), "{token_name} at 10:00 local");
        }
        assert_eq!(message(&app, &token, &app_id, &local).await["status"], "sent");
    }

    async fn quiet_hours_hold_deliveries_and_the_daily_cap_holds_back_extra_pushes(app) {
        let Some((app, fake)) = with_fake(app_backend(&app)).await else { return };
        let (token, app_id, key) = shop(&app, "quiet@example.com").await;
        device(&app, &key, "install-utc-1", "android", "ok-q1", json!({})).await;
        // Quiet from now (UTC, the device's zone) for two hours.
        let now = app.clock.now();
        let start = now.hour() * 60 + now.minute();
        let end = (start + 120) % 1440;
        let hm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
        app.call(reqwest::Method::PUT, &format!("apps/{app_id}/push-settings"), Some(&token),
            Some(json!({"quiet_hours": {"start": hm(start), "end": hm(end)}, "daily_cap": 1})))
            .await
            .assert_status(StatusCode::OK);
        let msg = id(&compose(&app, &token, &app_id, json!({})).await);
        send_now(&app, &token, &app_id, &msg).await;
        let held = app.send_pushes().await;
        assert_eq!((held.sent, held.held), (0, 1));
        app.clock.advance(Duration::minutes(100));
        assert_eq!(app.send_pushes().await.sent, 0, "still quiet");
        app.clock.advance(Duration::minutes(25));
        assert_eq!(app.send_pushes().await.sent, 1, "after the quiet hours");
        assert_eq!(fake.delivered().get("ok-q1"), Some(&1));

        // One push a day: the next message is held back for this device.
        let second = id(&compose(&app, &token, &app_id, json!({})).await);
        send_now(&app, &token, &app_id, &second).await;
        app.send_pushes().await;
        let capped = message(&app, &token, &app_id, &second).await;
        assert_eq!(capped["status"], "failed");
        assert_eq!(capped["failures"], json!([{"reason": "daily_cap", "count": 1}]));
        // A day later it may have another.
        app.clock.advance(Duration::hours(24));
        let third = id(&compose(&app, &token, &app_id, json!({})).await);
        send_now(&app, &token, &app_id, &third).await;
        app.send_pushes().await;
        app.clock.advance(Duration::hours(3));
        app.send_pushes().await;
        assert_eq!(stats(&message(&app, &token, &app_id, &third).await), (1, 1, 0));
    }

    async fn canceling_a_sending_message_stops_the_deliveries_left(app) {
        let Some((app, fake)) = with_fake(app_backend(&app)).await else { return };
        let (token, app_id, key) = shop(&app, "stop@example.com").await;
        device(&app, &key, "install-utc-ok", "android", "ok-c1", json!({"timezone": "UTC"})).await;
        device(&app, &key, "install-la-ok1", "android", "ok-c2", json!({"timezone": "America/Los_Angeles"})).await;
        device(&app, &key, "install-la-ok2", "ios", "ok-c3", json!({"timezone": "America/Los_Angeles"})).await;
        // The UTC device's local time comes first (an hour from now), Los Angeles's later.
        let now = app.clock.now() + Duration::hours(1);
        let local = format!("{:02}:{:02}", now.hour(), now.minute());
        let msg = id(&compose(&app, &token, &app_id, json!({"local_time": local})).await);
        app.send_pushes().await;
        app.clock.advance(Duration::minutes(61));
        assert_eq!(app.send_pushes().await.sent, 1);
        let canceled = app.post(&format!("apps/{app_id}/push-messages/{msg}/cancel"), Some(&token), json!({})).await;
        canceled.assert_status(StatusCode::OK);
        assert_eq!(canceled.body["status"], "canceled");
        app.clock.advance(Duration::hours(24));
        assert_eq!(app.send_pushes().await.sent, 0);
        assert_eq!(fake.pushes().len(), 1);
        assert_eq!(stats(&message(&app, &token, &app_id, &msg).await), (3, 1, 0));
    }

    async fn an_order_moving_pushes_its_device_when_the_owner_asked_for_it(app) {
        let Some((app, fake)) = with_fake(app_backend(&app)).await else { return };
        let (_, token) = app.customer("orders-push@example.com", None).await;
        let shop = app.create_app(&token, json!({"name": "Order Shop", "edition": "standard"})).await;
        let (app_id, key) = (id(&shop), shop["app_key"].as_str().expect("key").to_owned());
        device(&app, &key, "install-buyer", "android", "ok-buyer", json!({})).await;
        let order = app.sdk("orders", &key, crate::orders::with(crate::orders::order("A-100"),
            json!({"installation_id": "install-buyer"}))).await;
        order.assert_status(StatusCode::CREATED);
        let path = format!("apps/{app_id}/orders/{}", id(&order.body));
        // Off by default: nothing is sent.
        app.patch(&path, &token, json!({"status": "processing"})).await.assert_status(StatusCode::OK);
        app.send_pushes().await;
        assert!(fake.pushes().is_empty());

        app.call(reqwest::Method::PUT, &format!("apps/{app_id}/push-settings"), Some(&token),
            Some(json!({"fcm_service_account": fake_push::service_account(),
                "order_status": {"enabled": true, "template": "Order <ORDER_NUMBER>: <STATUS>!"}})))
            .await
            .assert_status(StatusCode::OK);
        app.patch(&path, &token, json!({"status": "shipped"})).await.assert_status(StatusCode::OK);
        assert_eq!(app.send_pushes().await.sent, 1);
        let pushes = fake.pushes();
        assert_eq!(pushes.len(), 1);
        assert_eq!(pushes[0].token, "ok-buyer");
        assert_eq!(pushes[0].body["message"]["notification"]["body"], "Order A-100: Shipped!");
        // Its message is listed apart from the campaigns.
        let listed = app.get(&format!("apps/{app_id}/push-messages?kind=order_status"), &token).await;
        assert_eq!(listed.body["total"], 1);
        assert_eq!(listed.body["items"][0]["status"], "sent");
        assert_eq!(app.get(&format!("apps/{app_id}/push-messages"), &token).await.body["total"], 0);
    }

    async fn webhooks_hear_of_a_message_from_its_creation_to_its_end(app) {
        let receiver = crate::helpers::receiver::Receiver::start();
        let (token, app_id, key) = shop(&app, "hooked-push@example.com").await;
        // A device without push is not targeted: a message to nobody is done at once.
        app.post("webhook-endpoints", Some(&token), json!({"url": receiver.url,
            "event_types": ["push_message.created", "push_message.updated"]})).await.assert_status(StatusCode::CREATED);
        device(&app, &key, "install-no-push", "android", "ok-z", json!({"push_enabled": false})).await;
        let msg = id(&compose(&app, &token, &app_id, json!({"title": "Hello"})).await);
        send_now(&app, &token, &app_id, &msg).await;
        app.send_pushes().await;
        app.deliver_webhooks().await;
        assert_eq!(receiver.types(), ["push_message.created", "push_message.updated", "push_message.updated"]);
        let last: Value = serde_json::from_str(&receiver.received().last().expect("an event").body).expect("json");
        assert_eq!(last["data"]["id"], json!(msg));
        assert_eq!(last["data"]["status"], "sent");
        assert_eq!(last["data"]["stats"]["targeted"], 0);
    }

    async fn one_message_goes_to_several_apps_each_with_its_own_report(app) {
        let (partner_id, partner) = app.partner("agency-push@example.com").await;
        let (_, customer) = app.customer("agency-client@example.com", Some(partner_id)).await;
        let own = app.create_app(&partner, json!({"name": "Agency App"})).await;
        let client = app.create_app(&customer, json!({"name": "Client App"})).await;
        for (shop, install) in [(&own, "install-agency"), (&client, "install-client")] {
            app.register_device(shop["app_key"].as_str().expect("key"), install, json!({"push_token": "ok-x"}))
                .await.assert_success();
        }
        let reply = app.post("push-messages", Some(&partner), json!({"app_ids": [id(&own), id(&client)],
            "message": {"title": "Black Friday", "body": "Half price today."}})).await;
        reply.assert_status(StatusCode::CREATED);
        let items = reply.body["items"].as_array().expect("items");
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["app_id"], json!(id(&own)));
        assert_eq!(items[1]["app_id"], json!(id(&client)));
        assert_ne!(items[0]["id"], items[1]["id"]);
        // The customer sees its app's message, not the partner's own app's.
        let seen = app.get(&format!("apps/{}/push-messages", id(&client)), &customer).await;
        assert_eq!(seen.body["total"], 1);
        // All or none: an app that is not the sender's makes nothing.
        let (_, stranger) = app.customer("stranger-push@example.com", None).await;
        app.post("push-messages", Some(&stranger), json!({"app_ids": [id(&client)],
            "message": {"title": "x", "body": "y"}})).await.assert_status(StatusCode::NOT_FOUND);
        app.post("push-messages", Some(&partner), json!({"app_ids": [id(&own), id(&own)],
            "message": {"title": "x", "body": "y"}})).await.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let own_list = app.get(&format!("apps/{}/push-messages", id(&own)), &partner).await;
        assert_eq!(own_list.body["total"], 1);
    }

    async fn bad_push_input_is_a_422_naming_the_field(app) {
        let (token, app_id, _) = shop(&app, "bad-push@example.com").await;
        let path = format!("apps/{app_id}/push-messages");
        let past = (api::clock::now().and_utc() - Duration::hours(1)).to_rfc3339();
        for (body, field) in [
            (json!({"title": " ", "body": "b"}), "title"),
            (json!({"title": "t", "body": ""}), "body"),
            (json!({"title": "t", "body": "b", "image_url": "http://cdn.example.com/a.jpg"}), "image_url"),
            (json!({"title": "t", "body": "b", "deep_link": "no link"}), "deep_link"),
            (json!({"title": "t", "body": "b", "data": {"google.x": "1"}}), "data"),
            (json!({"title": "t", "body": "b", "target": {"locales": ["french!"]}}), "target.locales"),
            (json!({"title": "t", "body": "b", "target": {"app_version_min": "2.x"}}), "target.app_version_min"),
            (json!({"title": "t", "body": "b", "target": {"last_seen_within_days": 0}}), "target.last_seen_within_days"),
            (json!({"title": "t", "body": "b", "send_at": past}), "send_at"),
            (json!({"title": "t", "body": "b", "local_time": "25:00"}), "local_time"),
        ] {
            let reply = app.post(&path, Some(&token), body.clone()).await;
            reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert!(reply.error_fields().iter().any(|f| f == field), "{body} names {field}: {:?}", reply.error_fields());
        }
        let settings = format!("apps/{app_id}/push-settings");
        for (body, field) in [
            (json!({"fcm_service_account": "{\"type\": \"authorized_user\"}"}), "fcm_service_account"),
            (json!({"fcm_service_account": "not json"}), "fcm_service_account"),
            (json!({"apns": {"key_id": "ABC123DEFG", "team_id": "DEF123GHIJ", "topic": "com.example.shop", "environment": "production", "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"}}), "apns.private_key"),
            (json!({"apns": {"key_id": "abc", "team_id": "DEF123GHIJ", "topic": "com.example.shop", "environment": "production", "private_key": "x"}}), "apns.key_id"),
            (json!({"quiet_hours": {"start": "22:00", "end": "22:00"}}), "quiet_hours.end"),
            (json!({"daily_cap": 0}), "daily_cap"),
            (json!({"order_status": {"enabled": true, "template": " "}}), "order_status.template"),
        ] {
            let reply = app.call(reqwest::Method::PUT, &settings, Some(&token), Some(body.clone())).await;
            reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert!(reply.error_fields().iter().any(|f| f == field), "{body} names {field}: {:?}", reply.error_fields());
        }
        // Nothing was lost: the credentials saved before are still there.
        let kept = app.get(&settings, &token).await;
        assert_eq!(kept.body["fcm"]["project_id"], fake_push::PROJECT);
    }

    async fn another_tenants_messages_are_not_found(app) {
        let (token, app_id, _) = shop(&app, "owner-push@example.com").await;
        let msg = id(&compose(&app, &token, &app_id, json!({})).await);
        let (_, stranger) = app.customer("other-push@example.com", None).await;
        let stranger_app = id(&app.create_app(&stranger, json!({"name": "Other"})).await);
        let base = format!("apps/{app_id}/push-messages");
        app.get(&base, &stranger).await.assert_status(StatusCode::NOT_FOUND);
        app.get(&format!("{base}/{msg}"), &stranger).await.assert_status(StatusCode::NOT_FOUND);
        app.get(&format!("apps/{app_id}/push-settings"), &stranger).await.assert_status(StatusCode::NOT_FOUND);
        app.post(&format!("{base}/{msg}/send"), Some(&stranger), json!({})).await.assert_status(StatusCode::NOT_FOUND);
        // Under the stranger's own app, the message is no more found.
        app.get(&format!("apps/{stranger_app}/push-messages/{msg}"), &stranger).await.assert_status(StatusCode::NOT_FOUND);
        app.post(&format!("apps/{stranger_app}/push-messages/{msg}/cancel"), Some(&stranger), json!({}))
            .await.assert_status(StatusCode::NOT_FOUND);
        assert_eq!(message(&app, &token, &app_id, &msg).await["status"], "draft");
    }

    async fn two_senders_on_one_database_deliver_each_push_exactly_once(app) {
        let backend = app_backend(&app);
        let fake = FakePush::start();
        fake.count_only();
        let mut settings = crate::helpers::test_settings(crate::helpers::fresh_database(backend));
        fake.configure(&mut settings);
        settings.push_poll_ms = 20;
        settings.db_pool_size = Some(6);
        // Two api processes' worth of servers on one database, both sending.
        let first = TestApp::start(settings.clone());
        let second = TestApp::start(settings);
        let (token, app_id, _) = shop(&first, "replicas@example.com").await;
        let devices = insert_devices(&first, app_id.parse().expect("id"), 20_000).await;
        let msg = id(&compose(&first, &token, &app_id, json!({})).await);
        send_now(&second, &token, &app_id, &msg).await;
        // Wait (not a timing assertion: only how long the test may take) until it is sent.
        let mut done = Value::Null;
        for _ in 0..1200 {
            done = message(&first, &token, &app_id, &msg).await;
            if done["status"] == "sent" {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(done["status"], "sent", "{done}");
        assert_eq!(stats(&done), (devices, devices, 0));
        let delivered = fake.delivered();
        assert_eq!(delivered.len() as i64, devices, "every device got it");
        assert!(delivered.values().all(|n| *n == 1), "and none twice");
    }
}

fn app_backend(app: &TestApp) -> Backend {
    if app.settings.database_url.starts_with("postgres") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

async fn send_again_refused(app: &TestApp, token: &str, app_id: &str, msg: &str) {
    app.post(
        &format!("apps/{app_id}/push-messages/{msg}/send"),
        Some(token),
        json!({}),
    )
    .await
    .assert_problem(StatusCode::CONFLICT, "illegal_transition");
    app.post(
        &format!("apps/{app_id}/push-messages/{msg}/cancel"),
        Some(token),
        json!({}),
    )
    .await
    .assert_problem(StatusCode::CONFLICT, "illegal_transition");
    app.patch(
        &format!("apps/{app_id}/push-messages/{msg}"),
        token,
        json!({"title": "x"}),
    )
    .await
    .assert_problem(StatusCode::CONFLICT, "illegal_transition");
}

/// Adds `n` Android devices with live push tokens to the app, straight into the database (the
/// SDK would take minutes); how many.
async fn insert_devices(app: &TestApp, app_id: i64, n: i64) -> i64 {
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.get().expect("connection");
        let now = db.clock().now();
        let mut rows = Vec::new();
        for i in 0..n {
            rows.push(format!(
                "({app_id}, 'install-{i:08}', 'android', 'Pixel 8', '14', '2.0.0', 'ok-{i}', TRUE, '{t}', '{t}', '{t}', '{t}')",
                t = now.format("%F %T%.f")
            ));
        }
        for chunk in rows.chunks(2000) {
            let sql = format!(
                "INSERT INTO devices (app_id, installation_id, platform, model, os_version, app_version, push_token, push_enabled, first_seen_at, last_seen_at, created_at, updated_at) VALUES {}",
                chunk.join(", ")
            );
            diesel::connection::SimpleConnection::batch_execute(&mut conn, &sql).expect("devices");
        }
        n
    })
    .await
    .expect("blocking")
}
