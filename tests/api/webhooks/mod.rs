//! Webhook endpoints and deliveries: events signed as the Standard Webhooks specification says,
//! received by a local server that checks the signatures with its own code.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

mod addresses;

use crate::both_backends;
use crate::helpers::receiver::Receiver;
use crate::helpers::{Backend, TestApp};

/// Subscribes `url` for `token` (all types when `types` is `None`); the endpoint with its secret.
async fn subscribe(app: &TestApp, token: &str, url: &str, types: Option<&[&str]>) -> Value {
    let mut body = json!({"url": url});
    if let Some(types) = types {
        body["event_types"] = json!(types);
    }
    let reply = app.post("webhook-endpoints", Some(token), body).await;
    reply.assert_status(StatusCode::CREATED);
    reply.body
}

fn id(value: &Value) -> &str {
    value["id"].as_str().expect("an id")
}

async fn deliveries(app: &TestApp, token: &str, endpoint: &str) -> Vec<Value> {
    let reply = app
        .get(&format!("webhook-endpoints/{endpoint}/deliveries"), token)
        .await;
    reply.assert_status(StatusCode::OK);
    reply.body["items"].as_array().expect("items").clone()
}

both_backends! {
    async fn an_endpoint_receives_signed_events_of_the_types_it_subscribes(app) {
        let receiver = Receiver::start();
        let (_, customer) = app.customer("hooks@example.com", None).await;
        let endpoint = subscribe(&app, &customer, &receiver.url, Some(&["app.created", "app.updated"])).await;
        let secret = endpoint["secret"].as_str().expect("the secret, once").to_owned();
        assert!(secret.starts_with("whsec_"));
        assert_eq!(endpoint["event_types"], json!(["app.created", "app.updated"]));
        // The secret is never shown again.
        let read = app.get(&format!("webhook-endpoints/{}", id(&endpoint)), &customer).await;
        read.assert_status(StatusCode::OK);
        assert!(read.body.get("secret").is_none());

        let shop = app.create_app(&customer, json!({"name": "Hooked Shop"})).await;
        app.patch(&format!("apps/{}", id(&shop)), &customer, json!({"name": "Renamed Shop"}))
            .await
            .assert_status(StatusCode::OK);
        // Not subscribed: a device registering sends nothing here.
        let key = shop["app_key"].as_str().expect("key");
        app.register_device(key, "install-1", json!({})).await.assert_status(StatusCode::CREATED);

        let report = app.deliver_webhooks().await;
        assert_eq!((report.succeeded, report.failed), (2, 0));
        let received = receiver.received();
        assert_eq!(receiver.types(), ["app.created", "app.updated"]);
        for hook in &received {
            assert!(hook.signed_with(&secret), "signature of {hook:?}");
            assert!(hook.id.starts_with("msg_"));
            assert_eq!(hook.content_type, "application/json");
            let sent: i64 = hook.timestamp.parse().expect("unix seconds");
            assert!((api::clock::system_time().timestamp() - sent).abs() < 300);
            assert!(!hook.signed_with(&api::webhooks::new_secret()));
        }
        assert_ne!(received[0].id, received[1].id);
        let updated = received[1].json();
        assert_eq!(updated["data"]["id"], shop["id"]);
        assert_eq!(updated["data"]["name"], "Renamed Shop");
        assert!(updated["timestamp"].as_str().is_some());

        let log = deliveries(&app, &customer, id(&endpoint)).await;
        assert_eq!(log.len(), 2);
        assert_eq!(log[0]["event_type"], "app.updated");
        assert_eq!(log[0]["status"], "succeeded");
        assert_eq!(log[0]["response_status"], 200);
        assert_eq!(log[0]["attempts"], 1);
        assert_eq!(log[0]["event_id"].as_str(), Some(received[1].id.as_str()));
        assert_eq!(log[0]["payload"], updated);
        // Nothing is left to send.
        assert_eq!(app.deliver_webhooks().await, Default::default());
    }

    async fn partners_and_admins_hear_about_their_customers_and_no_one_else(app) {
        let (mine, theirs, admins) = (Receiver::start(), Receiver::start(), Receiver::start());
        let (partner, partner_token) = app.partner("agency@example.com").await;
        let (_, other_partner) = app.partner("other-agency@example.com").await;
        let (_, customer) = app.customer("client@example.com", Some(partner)).await;
        let admin = app.admin().await;
        subscribe(&app, &partner_token, &mine.url, None).await;
        subscribe(&app, &other_partner, &theirs.url, None).await;
        subscribe(&app, &admin, &admins.url, Some(&["app.created"])).await;

        let shop = app.create_app(&customer, json!({})).await;
        let key = shop["app_key"].as_str().expect("key");
        app.register_device(key, "install-1", json!({})).await.assert_status(StatusCode::CREATED);
        // Registering again is no new device.
        app.register_device(key, "install-1", json!({})).await.assert_status(StatusCode::OK);
        app.post(&format!("apps/{}/mobile-users", id(&shop)), Some(&customer),
            json!({"email": "buyer@example.com", "first_name": "Bo", "last_name": "Buyer"}))
            .await
            .assert_status(StatusCode::CREATED);
        app.deliver_webhooks().await;

        assert_eq!(mine.types(), ["app.created", "device.registered", "mobile_user.created"]);
        assert_eq!(mine.received()[1].json()["data"]["installation_id"], "install-1");
        assert_eq!(mine.received()[2].json()["data"]["email"], "buyer@example.com");
        assert!(theirs.received().is_empty(), "another partner hears nothing");
        assert_eq!(admins.types(), ["app.created"]);
    }

    async fn failed_deliveries_are_retried_on_the_schedule_then_given_up(app) {
        let receiver = Receiver::start();
        receiver.always(500);
        let (_, customer) = app.customer("retry@example.com", None).await;
        let endpoint = subscribe(&app, &customer, &receiver.url, None).await;
        app.create_app(&customer, json!({})).await;

        let report = app.deliver_webhooks().await;
        assert_eq!((report.succeeded, report.failed), (0, 1));
        let log = deliveries(&app, &customer, id(&endpoint)).await;
        assert_eq!(log[0]["status"], "pending");
        assert_eq!(log[0]["response_status"], 500);
        assert_eq!(log[0]["error"], "HTTP 500: answered 500");
        let read = app.get(&format!("webhook-endpoints/{}", id(&endpoint)), &customer).await;
        assert!(read.body["failing_since"].is_string());

        // Not due before its time: nothing is sent until the clock reaches it.
        assert_eq!(app.deliver_webhooks().await, Default::default());
        for wait in api::webhooks::sender::RETRY_SCHEDULE {
            app.clock.advance(Duration::seconds(wait - 1));
            assert_eq!(app.deliver_webhooks().await.failed, 0, "not due {wait} s early");
            app.clock.advance(Duration::seconds(1));
            assert_eq!(app.deliver_webhooks().await.failed, 1, "due after {wait} s");
        }
        let log = deliveries(&app, &customer, id(&endpoint)).await;
        assert_eq!(log[0]["status"], "failed");
        assert_eq!(log[0]["attempts"], 8);
        assert!(log[0]["next_attempt_at"].is_null());
        assert_eq!(receiver.received().len(), 8);
        let ids: std::collections::HashSet<_> = receiver.received().into_iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), 1, "every attempt carries the same webhook-id");
        app.clock.advance(Duration::days(2));
        assert_eq!(app.deliver_webhooks().await, Default::default());

        // A manual retry sends it once more; it succeeds now.
        receiver.always(204);
        let delivery = log[0]["id"].as_str().expect("id");
        let retried = app
            .post(&format!("webhook-endpoints/{}/deliveries/{delivery}/retry", id(&endpoint)), Some(&customer), json!({}))
            .await;
        retried.assert_status(StatusCode::ACCEPTED);
        assert_eq!(retried.body["status"], "pending");
        assert_eq!(app.deliver_webhooks().await.succeeded, 1);
        let log = deliveries(&app, &customer, id(&endpoint)).await;
        assert_eq!((log[0]["status"].as_str(), log[0]["attempts"].as_i64()), (Some("succeeded"), Some(9)));
        let read = app.get(&format!("webhook-endpoints/{}", id(&endpoint)), &customer).await;
        assert!(read.body["failing_since"].is_null(), "a success ends the failing streak");
    }

    async fn an_endpoint_that_answers_gone_is_switched_off_and_its_owner_told(app) {
        let receiver = Receiver::start();
        receiver.answer(&[410]);
        let (_, customer) = app.customer("gone@example.com", None).await;
        let endpoint = subscribe(&app, &customer, &receiver.url, None).await;
        let shop = app.create_app(&customer, json!({})).await;
        app.patch(&format!("apps/{}", id(&shop)), &customer, json!({"name": "Two"})).await;
        app.deliver_webhooks().await;
        assert_eq!(receiver.received().len(), 1, "nothing more after the 410");

        let read = app.get(&format!("webhook-endpoints/{}", id(&endpoint)), &customer).await;
        assert_eq!(read.body["enabled"], false);
        assert_eq!(read.body["disabled_reason"], "gone");
        let log = deliveries(&app, &customer, id(&endpoint)).await;
        assert!(log.iter().all(|d| d["status"] == "failed"), "{log:?}");
        let admin = app.admin().await;
        let mail = app.get("outbox?to=gone@example.com", &admin).await;
        assert_eq!(mail.body["items"][0]["subject"], "A webhook endpoint was disabled");
        assert!(mail.body["items"][0]["body"].as_str().unwrap_or_default().contains("410 Gone"));

        // While off, nothing is queued for it; a test or a retry is refused.
        app.patch(&format!("apps/{}", id(&shop)), &customer, json!({"name": "Three"})).await;
        assert_eq!(deliveries(&app, &customer, id(&endpoint)).await.len(), 2);
        app.post(&format!("webhook-endpoints/{}/test", id(&endpoint)), Some(&customer), json!({}))
            .await
            .assert_problem(StatusCode::CONFLICT, "endpoint_disabled");

        // Enabled again: the reason is cleared, and what failed can be sent again.
        let enabled = app
            .patch(&format!("webhook-endpoints/{}", id(&endpoint)), &customer, json!({"enabled": true}))
            .await;
        enabled.assert_status(StatusCode::OK);
        assert!(enabled.body["disabled_reason"].is_null());
        let first = log.last().expect("the first delivery")["id"].as_str().expect("id").to_owned();
        app.post(&format!("webhook-endpoints/{}/deliveries/{first}/retry", id(&endpoint)), Some(&customer), json!({}))
            .await
            .assert_status(StatusCode::ACCEPTED);
        assert_eq!(app.deliver_webhooks().await.succeeded, 1);
        assert_eq!(receiver.types(), ["app.created", "app.created"]);
    }

    async fn an_endpoint_failing_for_five_days_is_switched_off(app) {
        let receiver = Receiver::start();
        receiver.always(503);
        let (_, customer) = app.customer("failing@example.com", None).await;
        let endpoint = subscribe(&app, &customer, &receiver.url, None).await;
        let shop = app.create_app(&customer, json!({})).await;
        for day in 1..=5 {
            app.deliver_webhooks().await;
            app.clock.advance(Duration::days(1));
            let read = app.get(&format!("webhook-endpoints/{}", id(&endpoint)), &customer).await;
            assert_eq!(read.body["enabled"], true, "still on after {day} days");
            app.patch(&format!("apps/{}", id(&shop)), &customer, json!({"name": format!("Day {day}")})).await;
        }
        app.deliver_webhooks().await;
        let read = app.get(&format!("webhook-endpoints/{}", id(&endpoint)), &customer).await;
        assert_eq!(read.body["enabled"], false);
        assert_eq!(read.body["disabled_reason"], "failing");
        let admin = app.admin().await;
        let mail = app.get("outbox?to=failing@example.com", &admin).await;
        assert!(mail.body["items"][0]["body"].as_str().unwrap_or_default().contains("failed for 5 days"));
    }

    async fn a_rotated_secret_signs_beside_the_previous_one_for_a_day(app) {
        let receiver = Receiver::start();
        let (_, customer) = app.customer("rotate@example.com", None).await;
        let endpoint = subscribe(&app, &customer, &receiver.url, None).await;
        let old = endpoint["secret"].as_str().expect("secret").to_owned();
        let rotated = app
            .post(&format!("webhook-endpoints/{}/rotate-secret", id(&endpoint)), Some(&customer), json!({}))
            .await;
        rotated.assert_status(StatusCode::OK);
        let new = rotated.body["secret"].as_str().expect("the new secret").to_owned();
        assert_ne!(old, new);
        assert!(rotated.body["previous_secret_expires_at"].is_string());

        let test = app.post(&format!("webhook-endpoints/{}/test", id(&endpoint)), Some(&customer), json!({})).await;
        test.assert_status(StatusCode::ACCEPTED);
        assert_eq!(test.body["event_type"], "webhook.test");
        app.deliver_webhooks().await;
        let hook = &receiver.received()[0];
        assert_eq!(hook.signature.split(' ').count(), 2);
        assert!(hook.signed_with(&old) && hook.signed_with(&new));
        assert_eq!(hook.json()["type"], "webhook.test");

        app.clock.advance(Duration::hours(25));
        app.post(&format!("webhook-endpoints/{}/test", id(&endpoint)), Some(&customer), json!({})).await;
        app.deliver_webhooks().await;
        let hook = &receiver.received()[1];
        assert!(hook.signed_with(&new) && !hook.signed_with(&old), "only the new secret after a day");
    }

    async fn an_endpoint_edits_like_any_record(app) {
        let receiver = Receiver::start();
        let (_, customer) = app.customer("edit@example.com", None).await;
        let endpoint = subscribe(&app, &customer, &receiver.url, Some(&["order.created"])).await;
        let path = format!("webhook-endpoints/{}", id(&endpoint));
        let read = app.get(&path, &customer).await;
        let etag = read.header("etag").expect("etag").to_owned();
        let edit = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&customer)
            .header("If-Match", &etag)
            .json(&json!({"event_types": null, "description": "ERP"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(edit.status(), StatusCode::OK);
        let stale = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&customer)
            .header("If-Match", &etag)
            .json(&json!({"description": "late"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
        let read = app.get(&path, &customer).await;
        assert!(read.body["event_types"].is_null(), "every type now");
        assert_eq!(read.body["description"], "ERP");
        let list = app.get("webhook-endpoints", &customer).await;
        assert_eq!(list.body["total"], 1);
        app.delete(&path, &customer).await.assert_status(StatusCode::NO_CONTENT);
        app.get(&path, &customer).await.assert_status(StatusCode::NOT_FOUND);
    }

    async fn another_accounts_endpoint_is_not_found(app) {
        let receiver = Receiver::start();
        let (partner, partner_token) = app.partner("owner-agency@example.com").await;
        let (_, customer) = app.customer("own-client@example.com", Some(partner)).await;
        let endpoint = subscribe(&app, &customer, &receiver.url, None).await;
        app.post(&format!("webhook-endpoints/{}/test", id(&endpoint)), Some(&customer), json!({})).await;
        let delivery = deliveries(&app, &customer, id(&endpoint)).await[0]["id"].as_str().expect("id").to_owned();
        let base = format!("webhook-endpoints/{}", id(&endpoint));
        // Even the customer's partner and an admin: an endpoint is its account's alone.
        let admin = app.admin().await;
        let (_, stranger) = app.customer("stranger@example.com", None).await;
        for token in [&partner_token, &admin, &stranger] {
            app.get(&base, token).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
            app.patch(&base, token, json!({"enabled": false})).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
            app.delete(&base, token).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
            for action in ["rotate-secret", "test", &format!("deliveries/{delivery}/retry")] {
                app.post(&format!("{base}/{action}"), Some(token), json!({}))
                    .await
                    .assert_problem(StatusCode::NOT_FOUND, "not_found");
            }
            app.get(&format!("{base}/deliveries"), token).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        }
        // A delivery of another endpoint, through one's own endpoint, is not found either.
        let own = subscribe(&app, &stranger, &receiver.url, None).await;
        app.post(&format!("webhook-endpoints/{}/deliveries/{delivery}/retry", id(&own)), Some(&stranger), json!({}))
            .await
            .assert_problem(StatusCode::NOT_FOUND, "not_found");
        app.get(&base, &customer).await.assert_status(StatusCode::OK);
    }

    async fn the_background_sender_delivers_by_itself(app) {
        let receiver = Receiver::start();
        let backend = if app.settings.database_url.starts_with("postgres") { Backend::Postgres } else { Backend::Sqlite };
        let Some(server) = TestApp::spawn_with(backend, |s| s.webhook_poll_ms = 50).await else { return };
        let (_, customer) = server.customer("background@example.com", None).await;
        subscribe(&server, &customer, &receiver.url, None).await;
        server.create_app(&customer, json!({})).await;
        // Waits for an event, not for a time: the loop ends when it arrives (or fails after 30 s).
        for _ in 0..600 {
            if !receiver.received().is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert_eq!(receiver.types(), ["app.created"]);
    }

    async fn two_senders_at_once_deliver_each_event_once(app) {
        let receiver = Receiver::start();
        let (_, customer) = app.customer("replicas@example.com", None).await;
        let test = format!("webhook-endpoints/{}/test", id(&subscribe(&app, &customer, &receiver.url, None).await));
        for _ in 0..150 {
            app.post(&test, Some(&customer), json!({})).await.assert_status(StatusCode::ACCEPTED);
        }
        let (a, b) = tokio::join!(app.deliver_webhooks(), app.deliver_webhooks());
        assert_eq!(a.succeeded + b.succeeded, 150);
        let mut ids: Vec<String> = receiver.received().into_iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), 150);
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 150, "no event twice");
    }
}
