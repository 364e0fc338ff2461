//! Billing: plans, subscriptions with their states and renewals (with the test clock), coupons,
//! payments with Idempotency-Key, invoices (numbers, PDF text, CSV), deletion rules and tenancy.

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Reply, TestApp};

mod coupons;
mod renewals;

/// A plan created by the administrator; its id.
pub(crate) async fn plan(app: &TestApp, admin: &str, body: Value) -> String {
    let mut plan = json!({"name": "Standard monthly", "edition": "standard", "interval": "month",
        "price": 4900, "currency": "EUR"});
    if let (Some(plan), Some(extra)) = (plan.as_object_mut(), body.as_object()) {
        plan.extend(extra.clone());
    }
    let created = app.post("plans", Some(admin), plan).await;
    created.assert_status(StatusCode::CREATED);
    created.body["id"].as_str().expect("id").to_owned()
}

/// A partner's customer with a Basic app: (partner token, customer token, app id).
pub(crate) async fn customer_app(app: &TestApp, n: u32) -> (String, String, String) {
    let (partner_id, partner) = app.partner(&format!("agency{n}@example.com")).await;
    let (_, customer) = app
        .customer(&format!("shop{n}@example.com"), Some(partner_id))
        .await;
    let created = app
        .create_app(&customer, json!({"name": format!("Shop {n}")}))
        .await;
    (
        partner,
        customer,
        created["id"].as_str().expect("id").to_owned(),
    )
}

pub(crate) async fn subscribe(app: &TestApp, token: &str, app_id: &str, body: Value) -> Reply {
    app.post(&format!("apps/{app_id}/subscription"), Some(token), body)
        .await
}

pub(crate) fn id(reply: &Reply) -> String {
    reply.body["id"].as_str().expect("id").to_owned()
}

pub(crate) async fn pay_with_key(
    app: &TestApp,
    token: &str,
    sub: &str,
    pm: &str,
    key: Option<&str>,
) -> Reply {
    let mut req = app
        .client
        .post(app.url(&format!("subscriptions/{sub}/pay")))
        .bearer_auth(token)
        .json(&json!({"payment_method": pm}));
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    Reply::from(req.send().await.expect("sent")).await
}

pub(crate) async fn pay(app: &TestApp, token: &str, sub: &str, pm: &str) -> Reply {
    pay_with_key(app, token, sub, pm, None).await
}

/// Moves the server's clock by `days` and runs the renewal job once at that time.
pub(crate) async fn later(app: &TestApp, days: i64) -> api::billing::renewal::Report {
    app.clock.advance(chrono::Duration::days(days));
    let now = app.clock.now();
    let (db, settings) = (app.db.clone(), app.settings.clone());
    tokio::task::spawn_blocking(move || {
        let billing = api::billing::Billing::new(&settings, api::mailer::Mailer::new(&settings))
            .expect("billing");
        let mut conn = db.get().expect("connection");
        api::billing::renewal::run_due(&mut conn, &billing, now)
    })
    .await
    .expect("ran")
    .expect("renewals")
}

pub(crate) async fn payments(app: &TestApp, token: &str, sub: &str) -> Vec<Value> {
    let list = app
        .get(&format!("subscriptions/{sub}/payments"), token)
        .await;
    list.assert_status(StatusCode::OK);
    list.body["items"].as_array().expect("items").clone()
}

pub(super) async fn edition(app: &TestApp, token: &str, app_id: &str) -> String {
    app.get(&format!("apps/{app_id}"), token).await.body["edition"]
        .as_str()
        .expect("edition")
        .to_owned()
}

pub(super) fn pdf_text(bytes: &[u8]) -> Option<String> {
    let dir = std::env::temp_dir().join(format!("invoice-{}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).ok()?;
    let file = dir.join("invoice.pdf");
    std::fs::write(&file, bytes).ok()?;
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", file.to_str()?, "-"])
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match out {
        Ok(out) if out.status.success() => Some(String::from_utf8_lossy(&out.stdout).into_owned()),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("pdftotext (poppler-utils) is needed in CI")
        }
        _ => {
            eprintln!("!!! pdftotext is not installed: the invoice's text is not checked");
            None
        }
    }
}

both_backends! {
    async fn a_customer_subscribes_pays_and_downloads_the_invoice(app) {
        let admin = app.admin().await;
        let plan_id = plan(&app, &admin, json!({})).await;
        let (_, customer, app_id) = customer_app(&app, 1).await;
        app.patch("me", &customer, json!({"billing_name": "Shop One SARL",
            "billing_address": "2 Rue du Port\n13002 Marseille", "country": "FR"})).await
            .assert_status(StatusCode::OK);

        let sub = subscribe(&app, &customer, &app_id, json!({"plan_id": plan_id})).await;
        sub.assert_status(StatusCode::CREATED);
        assert_eq!(sub.body["status"], "incomplete");
        let invoice = &sub.body["open_invoice"];
        assert_eq!(invoice["total"], 5880, "49.00 + 20 % VAT");
        let year = api::clock::now().format("%Y").to_string();
        assert_eq!(invoice["number"], format!("{year}-000001"));
        assert_eq!(edition(&app, &customer, &app_id).await, "basic", "not paid yet");
        let again = subscribe(&app, &customer, &app_id, json!({"plan_id": plan_id})).await;
        again.assert_problem(StatusCode::CONFLICT, "subscription_exists");

        let sub_id = id(&sub);
        let paid = pay(&app, &customer, &sub_id, "pm_card_visa").await;
        paid.assert_status(StatusCode::OK);
        assert_eq!(paid.body["subscription"]["status"], "active");
        assert!(paid.body["subscription"].get("open_invoice").is_none());
        assert_eq!(paid.body["payment"]["status"], "succeeded");
        assert_eq!(paid.body["payment"]["amount"], 5880);
        assert_eq!(paid.body["subscription"]["upcoming"]["total"], 5880);
        assert_eq!(edition(&app, &customer, &app_id).await, "standard");
        app.patch(&format!("apps/{app_id}"), &customer, json!({"edition": "basic"})).await
            .assert_problem(StatusCode::CONFLICT, "edition_follows_plan");
        app.patch(&format!("apps/{app_id}"), &customer, json!({"name": "Shop 1", "edition": "standard"})).await
            .assert_status(StatusCode::OK);

        let list = app.get("payments", &customer).await;
        assert_eq!(list.body["total"], 1);
        let payment_id = list.body["items"][0]["id"].as_str().expect("id").to_owned();
        let pdf = app.client.get(app.url(&format!("payments/{payment_id}/invoice")))
            .bearer_auth(&customer).send().await.expect("sent");
        assert_eq!(pdf.status(), StatusCode::OK);
        assert_eq!(pdf.headers()["content-type"], "application/pdf");
        let bytes = pdf.bytes().await.expect("body");
        assert!(bytes.starts_with(b"%PDF-"));
        if let Some(text) = pdf_text(&bytes) {
            for expected in [format!("{year}-000001").as_str(), "Mobile Back Office SAS",
                "FR40303265045", "Shop One SARL", "2 Rue du Port", "Standard monthly (monthly), app Shop 1",
                "49.00 EUR", "VAT 20 % on 49.00 EUR", "9.80 EUR", "58.80 EUR", "Paid on"] {
                assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
            }
        }

        let csv = app.client.get(app.url("payments/export?status=succeeded")).bearer_auth(&customer)
            .send().await.expect("sent");
        assert_eq!(csv.status(), StatusCode::OK);
        let csv = csv.text().await.expect("text");
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(rows.len(), 2, "{csv}");
        assert!(rows[0].starts_with("id,created_at,status,amount,currency,invoice_number"));
        assert!(rows[1].contains(&format!(",succeeded,5880,EUR,{year}-000001,{app_id},Shop 1,")));

        // Payments are never deleted; an app paid for is not deleted either.
        app.delete(&format!("payments/{payment_id}"), &customer).await
            .assert_status(StatusCode::METHOD_NOT_ALLOWED);
        app.delete(&format!("apps/{app_id}"), &customer).await
            .assert_problem(StatusCode::CONFLICT, "has_active_subscription");
        let receipts = app.get("outbox?to=shop1@example.com", &admin).await;
        assert!(receipts.body["items"].as_array().expect("items").iter()
            .any(|e| e["subject"].as_str().is_some_and(|s| s.starts_with("Receipt for invoice"))));
    }

    async fn a_declined_card_is_402_recorded_and_can_be_followed_by_another(app) {
        let admin = app.admin().await;
        let plan_id = plan(&app, &admin, json!({})).await;
        let (_, customer, app_id) = customer_app(&app, 1).await;
        let sub = id(&subscribe(&app, &customer, &app_id, json!({"plan_id": plan_id})).await);

        let declined = pay(&app, &customer, &sub, "pm_card_chargeDeclinedInsufficientFunds").await;
        declined.assert_problem(StatusCode::PAYMENT_REQUIRED, "card_declined");
        assert!(declined.body["detail"].as_str().expect("detail").contains("insufficient_funds"));
        let unknown = pay(&app, &customer, &sub, "pm_card_unknown").await;
        unknown.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(unknown.error_fields(), ["payment_method"]);
        let card_number = pay(&app, &customer, &sub, "4242424242424242").await;
        assert_eq!(card_number.error_fields(), ["payment_method"]);

        let recorded = payments(&app, &customer, &sub).await;
        assert_eq!(recorded.len(), 1);
        assert_eq!(recorded[0]["status"], "failed");
        assert_eq!(recorded[0]["failure_code"], "insufficient_funds");
        let current = app.get(&format!("subscriptions/{sub}"), &customer).await;
        assert_eq!(current.body["status"], "incomplete");

        pay(&app, &customer, &sub, "pm_card_visa").await.assert_status(StatusCode::OK);
        let recorded = payments(&app, &customer, &sub).await;
        assert_eq!(recorded.len(), 2);
        assert_eq!(recorded[0]["status"], "succeeded");
    }

    async fn an_idempotency_key_replays_refuses_another_body_and_charges_once(app) {
        let admin = app.admin().await;
        let plan_id = plan(&app, &admin, json!({})).await;
        let (_, customer, app_id) = customer_app(&app, 1).await;
        let sub = id(&subscribe(&app, &customer, &app_id, json!({"plan_id": plan_id})).await);

        let first = pay_with_key(&app, &customer, &sub, "pm_card_visa", Some("key-1")).await;
        first.assert_status(StatusCode::OK);
        assert!(first.header("idempotent-replayed").is_none());
        let replay = pay_with_key(&app, &customer, &sub, "pm_card_visa", Some("key-1")).await;
        replay.assert_status(StatusCode::OK);
        assert_eq!(replay.header("idempotent-replayed"), Some("true"));
        assert_eq!(replay.body["payment"]["id"], first.body["payment"]["id"]);
        let reused = pay_with_key(&app, &customer, &sub, "pm_card_mastercard", Some("key-1")).await;
        reused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
        assert_eq!(payments(&app, &customer, &sub).await.len(), 1);

        // A declined answer is kept and replayed too: the card is not tried again.
        let (_, other, other_app) = customer_app(&app, 2).await;
        let other_sub = id(&subscribe(&app, &other, &other_app, json!({"plan_id": plan_id})).await);
        for _ in 0..2 {
            pay_with_key(&app, &other, &other_sub, "pm_card_chargeDeclined", Some("key-1")).await
                .assert_problem(StatusCode::PAYMENT_REQUIRED, "card_declined");
        }
        assert_eq!(payments(&app, &other, &other_sub).await.len(), 1, "keys are per account");

        // The same key sent four times at once: one charge; the others wait for it and replay it.
        let (_, third, third_app) = customer_app(&app, 3).await;
        let third_sub = id(&subscribe(&app, &third, &third_app, json!({"plan_id": plan_id})).await);
        let attempts = (0..4).map(|_| pay_with_key(&app, &third, &third_sub, "pm_card_visa", Some("same")));
        let answers = futures_util::future::join_all(attempts).await;
        for answer in &answers {
            answer.assert_status(StatusCode::OK);
            assert_eq!(answer.body["payment"]["id"], answers[0].body["payment"]["id"]);
        }
        assert_eq!(answers.iter().filter(|a| a.header("idempotent-replayed").is_none()).count(), 1);
        assert_eq!(payments(&app, &third, &third_sub).await.len(), 1);

        // Keys are forgotten after 24 hours.
        app.clock.advance(chrono::Duration::hours(25));
        let fresh = pay_with_key(&app, &customer, &sub, "pm_card_mastercard", Some("key-1")).await;
        fresh.assert_status(StatusCode::OK);
        assert!(fresh.header("idempotent-replayed").is_none());
    }

    async fn plans_are_written_by_administrators_and_archived_once_used(app) {
        let admin = app.admin().await;
        let (_, customer, app_id) = customer_app(&app, 1).await;
        app.post("plans", Some(&customer), json!({"name": "Mine", "edition": "basic", "interval": "month",
            "price": 1, "currency": "EUR"})).await.assert_problem(StatusCode::FORBIDDEN, "admin_only");
        let bad = app.post("plans", Some(&admin), json!({"name": " ", "edition": "gold", "interval": "week",
            "price": -1, "currency": "EURO"})).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let plan_id = plan(&app, &admin, json!({})).await;
        let unused = plan(&app, &admin, json!({"name": "Unused"})).await;
        app.delete(&format!("plans/{unused}"), &admin).await.assert_status(StatusCode::NO_CONTENT);
        subscribe(&app, &customer, &app_id, json!({"plan_id": plan_id})).await.assert_status(StatusCode::CREATED);

        app.patch(&format!("plans/{plan_id}"), &admin, json!({"price": 5900})).await
            .assert_problem(StatusCode::CONFLICT, "plan_in_use");
        app.delete(&format!("plans/{plan_id}"), &admin).await
            .assert_problem(StatusCode::CONFLICT, "plan_in_use");
        app.patch(&format!("plans/{plan_id}"), &admin, json!({"active": false, "name": "Legacy"})).await
            .assert_status(StatusCode::OK);
        assert_eq!(app.get("plans", &customer).await.body["total"], 0);
        app.get(&format!("plans/{plan_id}"), &customer).await.assert_status(StatusCode::NOT_FOUND);
        assert_eq!(app.get("plans?active=false", &admin).await.body["total"], 1);
        let (_, other, other_app) = customer_app(&app, 2).await;
        let refused = subscribe(&app, &other, &other_app, json!({"plan_id": plan_id})).await;
        assert_eq!(refused.error_fields(), ["plan_id"]);
    }

    async fn another_tenants_billing_is_not_found(app) {
        let admin = app.admin().await;
        let plan_id = plan(&app, &admin, json!({})).await;
        let (partner, customer, app_id) = customer_app(&app, 1).await;
        let (other_partner, other, other_app) = customer_app(&app, 2).await;
        let sub = id(&subscribe(&app, &customer, &app_id, json!({"plan_id": plan_id})).await);
        pay(&app, &customer, &sub, "pm_card_visa").await;
        let payment = app.get("payments", &customer).await.body["items"][0]["id"].as_str().expect("id").to_owned();

        for (method, path, body) in [
            (Method::GET, format!("subscriptions/{sub}"), None),
            (Method::PATCH, format!("subscriptions/{sub}"), Some(json!({"plan_id": plan_id}))),
            (Method::POST, format!("subscriptions/{sub}/cancel"), Some(json!({"at_period_end": false}))),
            (Method::POST, format!("subscriptions/{sub}/coupon"), Some(json!({"code": "X"}))),
            (Method::POST, format!("subscriptions/{sub}/pay"), Some(json!({"payment_method": "pm_card_visa"}))),
            (Method::GET, format!("subscriptions/{sub}/payments"), None),
            (Method::GET, format!("payments/{payment}"), None),
            (Method::GET, format!("payments/{payment}/invoice"), None),
            (Method::GET, format!("apps/{app_id}/subscription"), None),
            (Method::POST, format!("apps/{app_id}/subscription"), Some(json!({"plan_id": plan_id}))),
        ] {
            for token in [&other, &other_partner] {
                let reply = app.call(method.clone(), &path, Some(token), body.clone()).await;
                assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}");
            }
        }
        for token in [&other, &other_partner] {
            assert_eq!(app.get("subscriptions", token).await.body["total"], 0);
            assert_eq!(app.get("payments", token).await.body["total"], 0);
            let csv = app.client.get(app.url("payments/export")).bearer_auth(token).send().await
                .expect("sent").text().await.expect("text");
            assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
        }
        for token in [&customer, &partner, &admin] {
            assert_eq!(app.get("subscriptions", token).await.body["total"], 1);
            assert_eq!(app.get("payments", token).await.body["total"], 1);
        }
        let _ = other_app;
    }
}

#[tokio::test]
pub(super) async fn invoice_numbers_stay_gapless_when_two_servers_finalise_at_once() {
    let Some(first) = TestApp::spawn(crate::helpers::Backend::Postgres).await else {
        return;
    };
    let second = TestApp::start(first.settings.clone());
    let admin = first.admin().await;
    let plan_id = plan(&first, &admin, json!({})).await;
    let mut customers = Vec::new();
    for n in 0..12 {
        let (_, customer, app_id) = customer_app(&first, n).await;
        customers.push((customer, app_id));
    }
    let creates = customers.iter().enumerate().map(|(i, (token, app_id))| {
        let server = if i % 2 == 0 { &first } else { &second };
        subscribe(server, token, app_id, json!({"plan_id": plan_id}))
    });
    let created = futures_util::future::join_all(creates).await;
    let year = api::clock::now().format("%Y").to_string();
    let numbers: HashSet<String> = created
        .iter()
        .map(|c| {
            c.assert_status(StatusCode::CREATED);
            c.body["open_invoice"]["number"]
                .as_str()
                .expect("number")
                .to_owned()
        })
        .collect();
    let expected: HashSet<String> = (1..=12).map(|n| format!("{year}-{n:06}")).collect();
    assert_eq!(numbers, expected);
}
