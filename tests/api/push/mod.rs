//! Push messages: composing, targeting, scheduling and cancelling; deliveries through the local
//! fakes of FCM and APNs (dead tokens, 429 and 5xx retries), quiet hours, the daily cap, local
//! times, reports, and two senders sharing one database.

use chrono::{Duration, Timelike};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::fake_push::{self, FakePush};
use crate::helpers::{Backend, TestApp};

mod delivery;
mod timing;

pub(super) fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

/// A server whose push gateways are the fake; the fake.
pub(super) async fn with_fake(backend: Backend) -> Option<(TestApp, FakePush)> {
    let fake = FakePush::start();
    let app = TestApp::spawn_with(backend, |s| fake.configure(s)).await?;
    Some((app, fake))
}

/// A customer's app with both providers' credentials: (token, app id, app key).
pub(super) async fn shop(app: &TestApp, email: &str) -> (String, String, String) {
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
pub(super) async fn device(
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

pub(super) async fn compose(app: &TestApp, token: &str, app_id: &str, body: Value) -> Value {
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

pub(super) async fn message(app: &TestApp, token: &str, app_id: &str, msg: &str) -> Value {
    let reply = app
        .get(&format!("apps/{app_id}/push-messages/{msg}"), token)
        .await;
    reply.assert_status(StatusCode::OK);
    reply.body
}

pub(super) async fn send_now(app: &TestApp, token: &str, app_id: &str, msg: &str) -> Value {
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

pub(super) async fn preview(app: &TestApp, token: &str, app_id: &str, target: Value) -> i64 {
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

pub(super) fn stats(msg: &Value) -> (i64, i64, i64) {
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

}

pub(super) fn app_backend(app: &TestApp) -> Backend {
    if app.settings.database_url.starts_with("postgres") {
        Backend::Postgres
    } else {
        Backend::Sqlite
    }
}

pub(super) async fn send_again_refused(app: &TestApp, token: &str, app_id: &str, msg: &str) {
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
pub(super) async fn insert_devices(app: &TestApp, app_id: i64, n: i64) -> i64 {
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
