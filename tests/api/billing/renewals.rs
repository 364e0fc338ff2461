//! A subscription over time: renewals and their retries, past due, trials, cancelling, and unpaid ones expiring.

use super::*;

both_backends! {
    async fn failed_renewals_are_retried_then_the_subscription_is_canceled(app) {
        let admin = app.admin().await;
        let plan_id = plan(&app, &admin, json!({})).await;
        let (_, customer, app_id) = customer_app(&app, 1).await;
        let sub = id(&subscribe(&app, &customer, &app_id, json!({"plan_id": plan_id})).await);
        pay(&app, &customer, &sub, "pm_card_visa").await.assert_status(StatusCode::OK);
        // With nothing owed, paying only saves the card for renewals: this one will be declined.
        let saved = pay(&app, &customer, &sub, "pm_card_chargeDeclined").await;
        saved.assert_status(StatusCode::OK);
        assert!(saved.body.get("payment").is_none());
        assert_eq!(saved.body["subscription"]["payment_method"], "pm_card_chargeDeclined");

        later(&app, 31).await;
        let current = app.get(&format!("subscriptions/{sub}"), &customer).await;
        assert_eq!(current.body["status"], "past_due");
        assert!(current.body["open_invoice"]["next_payment_attempt"].is_string());
        assert_eq!(edition(&app, &customer, &app_id).await, "standard", "kept while retried");
        // Retries after 1, 3 and 5 days; the last failure ends it.
        for (days, status) in [(1, "past_due"), (2, "past_due"), (2, "canceled")] {
            later(&app, days).await;
            let current = app.get(&format!("subscriptions/{sub}"), &customer).await;
            assert_eq!(current.body["status"], status, "after {days} more days");
        }
        let failed: Vec<Value> = payments(&app, &customer, &sub).await.into_iter()
            .filter(|p| p["status"] == "failed").collect();
        assert_eq!(failed.len(), 4);
        assert_eq!(edition(&app, &customer, &app_id).await, "basic");
        let emails = app.get("outbox?to=shop1@example.com", &admin).await;
        let subjects: Vec<&str> = emails.body["items"].as_array().expect("items").iter()
            .filter_map(|e| e["subject"].as_str()).collect();
        assert!(subjects.iter().any(|s| s.starts_with("Payment failed")), "{subjects:?}");
        assert!(subjects.iter().any(|s| s.starts_with("Subscription of Shop 1 canceled")), "{subjects:?}");
        // The app may subscribe again.
        subscribe(&app, &customer, &app_id, json!({"plan_id": plan_id})).await.assert_status(StatusCode::CREATED);
    }

    async fn a_past_due_subscription_is_saved_by_paying(app) {
        let admin = app.admin().await;
        let plan_id = plan(&app, &admin, json!({"interval": "year", "price": 49000})).await;
        let (_, customer, app_id) = customer_app(&app, 1).await;
        let sub = id(&subscribe(&app, &customer, &app_id, json!({"plan_id": plan_id})).await);
        pay(&app, &customer, &sub, "pm_card_visa").await;
        pay(&app, &customer, &sub, "pm_card_chargeDeclinedExpiredCard").await;
        later(&app, 366).await;
        assert_eq!(app.get(&format!("subscriptions/{sub}"), &customer).await.body["status"], "past_due");
        let saved = pay(&app, &customer, &sub, "pm_card_visa").await;
        saved.assert_status(StatusCode::OK);
        assert_eq!(saved.body["subscription"]["status"], "active");
        assert_eq!(saved.body["payment"]["amount"], 58800);
        assert_eq!(later(&app, 6).await.retried, 0, "nothing left to retry");
    }

    async fn a_trial_turns_into_a_paid_period_with_the_saved_card(app) {
        let admin = app.admin().await;
        let plan_id = plan(&app, &admin, json!({"trial_days": 14})).await;
        let (_, customer, app_id) = customer_app(&app, 1).await;
        let sub = subscribe(&app, &customer, &app_id, json!({"plan_id": plan_id})).await;
        assert_eq!(sub.body["status"], "trialing");
        assert!(sub.body.get("open_invoice").is_none());
        assert_eq!(edition(&app, &customer, &app_id).await, "standard");
        let sub = id(&sub);
        pay(&app, &customer, &sub, "pm_card_visa").await.assert_status(StatusCode::OK);
        assert_eq!(later(&app, 13).await.rolled, 0);
        assert_eq!(later(&app, 2).await.rolled, 1);
        let current = app.get(&format!("subscriptions/{sub}"), &customer).await;
        assert_eq!(current.body["status"], "active");
        assert_eq!(payments(&app, &customer, &sub).await.len(), 1);
    }

    async fn canceling_at_period_end_keeps_the_period_and_canceling_now_does_not(app) {
        let admin = app.admin().await;
        let plan_id = plan(&app, &admin, json!({})).await;
        let cheaper = plan(&app, &admin, json!({"name": "Basic monthly", "edition": "basic", "price": 900})).await;
        let (_, customer, app_id) = customer_app(&app, 1).await;
        let sub = id(&subscribe(&app, &customer, &app_id, json!({"plan_id": plan_id})).await);
        pay(&app, &customer, &sub, "pm_card_visa").await;

        // A change of plan waits for the next period.
        let changed = app.patch(&format!("subscriptions/{sub}"), &customer, json!({"plan_id": cheaper})).await;
        changed.assert_status(StatusCode::OK);
        assert_eq!(changed.body["plan"]["id"], plan_id.as_str());
        assert_eq!(changed.body["next_plan"]["id"], cheaper.as_str());
        assert_eq!(changed.body["upcoming"]["total"], 1080);
        later(&app, 31).await;
        let renewed = app.get(&format!("subscriptions/{sub}"), &customer).await;
        assert_eq!(renewed.body["plan"]["id"], cheaper.as_str());
        assert_eq!(edition(&app, &customer, &app_id).await, "basic");

        let cancel = format!("subscriptions/{sub}/cancel");
        let ending = app.post(&cancel, Some(&customer), json!({"at_period_end": true})).await;
        ending.assert_status(StatusCode::OK);
        assert_eq!(ending.body["status"], "active");
        assert_eq!(ending.body["cancel_at_period_end"], true);
        assert!(ending.body.get("upcoming").is_none());
        later(&app, 31).await;
        let ended = app.get(&format!("subscriptions/{sub}"), &customer).await;
        assert_eq!(ended.body["status"], "canceled");
        assert_eq!(payments(&app, &customer, &sub).await.len(), 2, "no charge for a period not renewed");
        app.post(&cancel, Some(&customer), json!({"at_period_end": false})).await
            .assert_problem(StatusCode::CONFLICT, "subscription_ended");

        let again = id(&subscribe(&app, &customer, &app_id, json!({"plan_id": plan_id})).await);
        let now = app.post(&format!("subscriptions/{again}/cancel"), Some(&customer), json!({"at_period_end": false})).await;
        assert_eq!(now.body["status"], "canceled");
        assert!(now.body.get("open_invoice").is_none(), "the unpaid invoice is void");
        // Without a paid subscription the app can go.
        app.delete(&format!("apps/{app_id}"), &customer).await.assert_status(StatusCode::NO_CONTENT);
        let kept = app.get(&format!("subscriptions/{sub}"), &customer).await;
        kept.assert_status(StatusCode::OK);
        assert!(kept.body.get("app_id").is_none());
        assert_eq!(app.get("payments", &customer).await.body["total"], 2);
    }

    async fn an_unpaid_new_subscription_expires_after_23_hours(app) {
        let admin = app.admin().await;
        let plan_id = plan(&app, &admin, json!({})).await;
        let (_, customer, app_id) = customer_app(&app, 1).await;
        let sub = id(&subscribe(&app, &customer, &app_id, json!({"plan_id": plan_id})).await);
        app.clock.advance(chrono::Duration::hours(22));
        assert_eq!(later(&app, 0).await.rolled, 0);
        app.clock.advance(chrono::Duration::hours(2));
        assert_eq!(later(&app, 0).await.rolled, 1);
        let expired = app.get(&format!("subscriptions/{sub}"), &customer).await;
        assert_eq!(expired.body["status"], "incomplete_expired");
        pay(&app, &customer, &sub, "pm_card_visa").await
            .assert_problem(StatusCode::CONFLICT, "subscription_ended");
    }
}
