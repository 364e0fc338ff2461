//! When pushes go out: scheduled and local-time sends, quiet hours and the daily cap.

use super::*;

both_backends! {
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
}
