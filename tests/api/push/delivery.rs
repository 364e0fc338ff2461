//! Deliveries through the fakes of FCM and APNs: reports, retries, cancelling while sending, several apps at once, two senders on one database.

use super::*;

both_backends! {
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
