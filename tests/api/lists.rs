//! Every list has one shape, `{items, total, page, per_page, next_cursor}`, and pages both ways: by
//! `page` and, newest first, by the `cursor` it issues.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{TestApp, PASSWORD};

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// Walks `list` by cursor, two at a time, and checks the walk against the pages by offset.
async fn assert_pages_alike(app: &TestApp, token: &str, list: &str) {
    let sep = if list.contains('?') { '&' } else { '?' };
    let mut by_cursor = Vec::new();
    let mut page = app.get(&format!("{list}{sep}per_page=2"), token).await;
    page.assert_status(StatusCode::OK);
    let total = page.body["total"].as_u64().unwrap_or_default();
    assert!(total >= 3, "{list}: enough rows for two pages ({total})");
    loop {
        assert_eq!(page.body["per_page"], 2, "{list}");
        assert_eq!(
            page.body["total"], total,
            "{list}: the total stays the total"
        );
        by_cursor.extend(ids(&page.body));
        let Some(cursor) = page.body["next_cursor"].as_str().map(str::to_owned) else {
            break;
        };
        page = app
            .get(&format!("{list}{sep}per_page=2&cursor={cursor}"), token)
            .await;
        page.assert_status(StatusCode::OK);
    }
    let mut by_page = Vec::new();
    for n in 1..=total.div_ceil(2) {
        by_page.extend(ids(&app
            .get(&format!("{list}{sep}per_page=2&page={n}"), token)
            .await
            .body));
    }
    assert_eq!(by_cursor.len() as u64, total, "{list}: every row once");
    assert_eq!(
        by_cursor, by_page,
        "{list}: the cursor walk is the page walk"
    );
}

both_backends! {
    async fn every_list_pages_by_cursor_as_it_does_by_page(app) {
        let admin = app.admin().await;
        for n in 0..3 {
            app.partner(&format!("p{n}@agency.example")).await;
        }
        let (_, partner) = app.partner("lists@agency.example").await;
        for n in 0..3 {
            // Pending: each gets an activation email, for the outbox.
            app.post("customers", Some(&partner), json!({"email": format!("c{n}@shop.example"), "first_name": "C",
                "last_name": format!("{n}"), "status": "pending_activation"})).await.assert_status(StatusCode::CREATED);
            app.create_app(&partner, json!({"name": format!("App {n}"), "kind": "standalone", "edition": "basic"})).await;
        }
        let key = app.create_app(&partner, json!({"name": "Shop", "kind": "standalone", "edition": "standard"})).await;
        let app_id = key["id"].as_str().unwrap_or_default().to_owned();
        let app_key = key["app_key"].as_str().unwrap_or_default().to_owned();
        for n in 0..3 {
            app.register_device(&app_key, &format!("install-{n}"), json!({})).await.assert_status(StatusCode::CREATED);
            app.sdk("mobile-users", &app_key, json!({"email": format!("u{n}@example.com"), "first_name": "U",
                "last_name": format!("{n}"), "password": PASSWORD})).await.assert_status(StatusCode::CREATED);
        }

        for list in ["partners", "customers", "apps", "audit-events", "outbox"] {
            assert_pages_alike(&app, &admin, list).await;
        }
        for list in ["customers", "apps", "audit-events"] {
            assert_pages_alike(&app, &partner, list).await;
        }
        // Orders placed at the same instant: the id breaks the tie, in both walks.
        let placed_at = (api::clock::now().and_utc() - chrono::Duration::hours(1)).to_rfc3339();
        for n in 0..5 {
            let mut order = crate::orders::order(&format!("L-{n}"));
            order["placed_at"] = json!(placed_at);
            app.sdk("orders", &app_key, order).await.assert_status(StatusCode::CREATED);
            app.sdk("quote-requests", &app_key, json!({"lines": [{"sku": "S", "name": "S", "quantity": 1}],
                "contact_name": "Q", "contact_email": "q@mail.example"})).await.assert_status(StatusCode::CREATED);
        }
        for n in 0..3 {
            app.post(&format!("apps/{app_id}/push-messages"), Some(&partner), json!({"title": format!("Push {n}"),
                "body": "B"})).await.assert_status(StatusCode::CREATED);
        }
        for list in ["devices", "mobile-users", "orders", "quote-requests", "push-messages"] {
            assert_pages_alike(&app, &partner, &format!("apps/{app_id}/{list}")).await;
        }

        // Billing: a subscription per app, paid after two declined attempts; and coupons.
        let plan = app.post("plans", Some(&admin), json!({"name": "P", "edition": "basic", "interval": "month",
            "price": 1000, "currency": "EUR"})).await.body["id"].as_str().unwrap_or_default().to_owned();
        let apps = app.get("apps", &partner).await;
        let mut last = String::new();
        for a in apps.body["items"].as_array().into_iter().flatten() {
            let id = a["id"].as_str().unwrap_or_default();
            let sub = app.post(&format!("apps/{id}/subscription"), Some(&partner), json!({"plan_id": plan})).await;
            last = sub.body["id"].as_str().unwrap_or_default().to_owned();
            for pm in ["pm_card_chargeDeclined", "pm_card_chargeDeclined", "pm_card_visa"] {
                app.post(&format!("subscriptions/{last}/pay"), Some(&partner), json!({"payment_method": pm})).await;
            }
        }
        for n in 0..3 {
            app.post("coupons", Some(&partner), json!({"code": format!("LIST-{n}"), "percent_off": 5,
                "duration": "once"})).await.assert_status(StatusCode::CREATED);
        }
        for token in [&admin, &partner] {
            for list in ["subscriptions", "payments", "payments?status=failed", "coupons"] {
                assert_pages_alike(&app, token, list).await;
            }
        }
        assert_pages_alike(&app, &partner, &format!("subscriptions/{last}/payments")).await;
    }

    async fn a_cursor_of_one_list_is_refused_by_another(app) {
        let admin = app.admin().await;
        for n in 0..3 {
            app.partner(&format!("p{n}@agency.example")).await;
        }
        let audit = app.get("audit-events?per_page=1", &admin).await;
        let cursor = audit.body["next_cursor"].as_str().unwrap_or_default().to_owned();
        let refused = app.get(&format!("partners?cursor={cursor}"), &admin).await;
        refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(refused.error_fields(), ["cursor"]);
    }
}
