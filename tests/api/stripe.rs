//! The `stripe` payment provider against a local fake of Stripe: customers and attached payment
//! methods, off-session PaymentIntents with idempotency keys, declines with Stripe's codes, an
//! outage and a lost answer (charged once), and payments settled later by signed webhooks.

use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::json;
use sha2::Sha256;

use crate::billing::{customer_app, id, later, pay, pay_with_key, payments, plan, subscribe};
use crate::helpers::fake_stripe::{FakeStripe, SECRET_KEY, WEBHOOK_SECRET};
use crate::helpers::{Backend, Reply, TestApp};

/// A server charging through the fake Stripe.
async fn stripe_app(backend: Backend) -> Option<(TestApp, FakeStripe)> {
    let fake = FakeStripe::start();
    let base = fake.base.clone();
    let app = TestApp::spawn_with(backend, move |s| {
        s.payment_provider = api::settings::PaymentProviderKind::Stripe;
        s.stripe_secret_key = Some(SECRET_KEY.into());
        s.stripe_webhook_secret = Some(WEBHOOK_SECRET.into());
        s.stripe_api_base = base;
    })
    .await?;
    Some((app, fake))
}

/// Runs each test on SQLite and PostgreSQL with a server using the fake Stripe.
macro_rules! with_stripe {
    ($( async fn $name:ident($app:ident, $fake:ident) $body:block )*) => { $(
        mod $name {
            use super::*;
            async fn run($app: TestApp, $fake: FakeStripe) $body

            #[tokio::test]
            async fn sqlite() {
                let (app, fake) = stripe_app(Backend::Sqlite).await.expect("sqlite");
                run(app, fake).await
            }

            #[tokio::test]
            async fn postgres() {
                if let Some((app, fake)) = stripe_app(Backend::Postgres).await {
                    run(app, fake).await
                }
            }
        }
    )* };
}

/// Signs `body` as Stripe does, written here from Stripe's documentation rather than with the
/// server's code: `t=<unix>,v1=<hex HMAC-SHA256("<t>.<body>")>`.
fn stripe_signature(secret: &str, body: &str, timestamp: i64) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

fn event(kind: &str, intent: &str, failure: Option<(&str, &str)>) -> String {
    let mut object = json!({"id": intent, "object": "payment_intent"});
    if let Some((code, message)) = failure {
        object["last_payment_error"] =
            json!({"type": "card_error", "code": code, "message": message});
    }
    json!({"id": format!("evt_{intent}_{kind}"), "object": "event", "type": kind,
        "data": {"object": object}})
    .to_string()
}

async fn deliver(app: &TestApp, body: &str, signature: Option<String>) -> Reply {
    let mut req = app
        .client
        .post(app.url("webhooks/stripe"))
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    if let Some(signature) = signature {
        req = req.header("Stripe-Signature", signature);
    }
    Reply::from(req.send().await.expect("sent")).await
}

/// Delivers `body` signed at the server's current time.
async fn deliver_signed(app: &TestApp, body: &str) -> Reply {
    let now = app.clock.now().and_utc().timestamp();
    deliver(app, body, Some(stripe_signature(WEBHOOK_SECRET, body, now))).await
}

/// A customer's app subscribed to a 49 EUR monthly plan (58.80 EUR with VAT): (admin, customer
/// token, subscription id).
async fn subscribed(app: &TestApp) -> (String, String, String) {
    let admin = app.admin().await;
    let plan_id = plan(app, &admin, json!({})).await;
    let (_, customer, app_id) = customer_app(app, 1).await;
    let sub = subscribe(app, &customer, &app_id, json!({"plan_id": plan_id})).await;
    sub.assert_status(StatusCode::CREATED);
    (admin, customer, id(&sub))
}

with_stripe! {
    async fn a_card_is_saved_on_a_stripe_customer_and_charged_off_session(app, fake) {
        let (_, customer, sub) = subscribed(&app).await;
        let paid = pay_with_key(&app, &customer, &sub, "pm_card_visa", Some("first-pay")).await;
        paid.assert_status(StatusCode::OK);
        assert_eq!(paid.body["payment"]["status"], "succeeded");
        assert_eq!(paid.body["subscription"]["status"], "active");

        // One customer, made with the account's email and id; the card attached to it.
        let customers = fake.seen_at("/v1/customers");
        assert_eq!(customers.len(), 1);
        assert_eq!(customers[0].form["email"], "shop1@example.com");
        assert!(customers[0].form.contains_key("metadata[account_id]"));
        let attach = fake.seen_at("/v1/payment_methods/pm_card_visa/attach");
        assert_eq!(attach.len(), 1);
        assert_eq!(attach[0].form["customer"], "cus_fake1");
        // The attached card's new id is what is saved and charged.
        assert_eq!(paid.body["subscription"]["payment_method"], "pm_fake1");
        let intents = fake.seen_at("/v1/payment_intents");
        assert_eq!(intents.len(), 1);
        let form = &intents[0].form;
        assert_eq!(form["amount"], "5880");
        assert_eq!(form["currency"], "eur");
        assert_eq!(form["customer"], "cus_fake1");
        assert_eq!(form["payment_method"], "pm_fake1");
        assert_eq!((form["confirm"].as_str(), form["off_session"].as_str()), ("true", "true"));
        assert!(intents[0].idempotency_key.starts_with("invoice_"));

        // The same request again under its key: replayed, nothing sent to Stripe.
        let replay = pay_with_key(&app, &customer, &sub, "pm_card_visa", Some("first-pay")).await;
        replay.assert_status(StatusCode::OK);
        assert_eq!(replay.headers["idempotent-replayed"], "true");
        assert_eq!(fake.intents().len(), 1);

        // A month later the renewal charges the saved card, on the same customer.
        let report = later(&app, 32).await;
        assert_eq!(report.rolled, 1);
        let intents = fake.seen_at("/v1/payment_intents");
        assert_eq!(intents.len(), 2);
        assert_eq!(intents[1].form["payment_method"], "pm_fake1");
        assert_eq!(intents[1].form["customer"], "cus_fake1");
        assert_ne!(intents[0].idempotency_key, intents[1].idempotency_key);
        assert_eq!(fake.customers().len(), 1, "no second customer");
        let list = payments(&app, &customer, &sub).await;
        assert_eq!(list.len(), 2);
        assert!(list.iter().all(|p| p["status"] == "succeeded"));
    }

    async fn a_decline_is_recorded_with_stripes_code_and_the_next_card_gets_a_new_attempt(app, fake) {
        let (_, customer, sub) = subscribed(&app).await;
        let declined = pay(&app, &customer, &sub, "pm_card_chargeDeclinedInsufficientFunds").await;
        declined.assert_problem(StatusCode::PAYMENT_REQUIRED, "card_declined");
        assert!(declined.body["detail"].as_str().expect("detail").contains("insufficient_funds"));
        let strong = pay(&app, &customer, &sub, "pm_card_authenticationRequired").await;
        strong.assert_problem(StatusCode::PAYMENT_REQUIRED, "card_declined");
        assert!(strong.body["detail"].as_str().expect("detail").contains("authentication_required"));
        let unknown = pay(&app, &customer, &sub, "pm_doesNotExist").await;
        unknown.assert_problem(StatusCode::PAYMENT_REQUIRED, "card_declined");
        assert!(unknown.body["detail"].as_str().expect("detail").contains("resource_missing"));
        pay(&app, &customer, &sub, "4242424242424242").await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);

        let paid = pay(&app, &customer, &sub, "pm_card_visa").await;
        paid.assert_status(StatusCode::OK);
        let list = payments(&app, &customer, &sub).await;
        let codes: Vec<&str> = list.iter().map(|p| p["failure_code"].as_str().unwrap_or("-")).collect();
        assert_eq!(codes, ["-", "authentication_required", "insufficient_funds"]);
        // Each attempt had its own key; only the good card moved money.
        let keys: std::collections::HashSet<String> = fake.seen_at("/v1/payment_intents")
            .into_iter().map(|s| s.idempotency_key).collect();
        assert_eq!(keys.len(), 3);
        assert_eq!(fake.intents().len(), 1);
        assert_eq!(fake.customers().len(), 1);
    }

    async fn stripe_down_is_503_and_a_lost_answer_is_charged_once(app, fake) {
        let (_, customer, sub) = subscribed(&app).await;
        fake.outage(1);
        let down = pay(&app, &customer, &sub, "pm_card_visa").await;
        down.assert_problem(StatusCode::SERVICE_UNAVAILABLE, "payment_provider_unavailable");
        assert!(payments(&app, &customer, &sub).await.is_empty(), "nothing recorded");

        // Stripe charges but the answer never arrives: the retry, under the same attempt key,
        // gets Stripe's first answer back instead of a second charge.
        fake.lose_next_answer("/v1/payment_intents");
        let lost = pay_with_key(&app, &customer, &sub, "pm_card_visa", Some("k1")).await;
        lost.assert_problem(StatusCode::SERVICE_UNAVAILABLE, "payment_provider_unavailable");
        assert_eq!(fake.intents().len(), 1, "Stripe did charge");
        let again = pay_with_key(&app, &customer, &sub, "pm_card_visa", Some("k1")).await;
        again.assert_status(StatusCode::OK);
        assert_eq!(again.body["payment"]["status"], "succeeded");
        assert_eq!(fake.intents().len(), 1, "charged once");
        let keys: Vec<String> = fake.seen_at("/v1/payment_intents").into_iter()
            .map(|s| s.idempotency_key).collect();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0], keys[1]);
        assert_eq!(payments(&app, &customer, &sub).await.len(), 1);
    }

    async fn a_processing_payment_is_settled_by_stripes_signed_webhook(app, fake) {
        let (admin, customer, sub) = subscribed(&app).await;
        let pending = pay(&app, &customer, &sub, "pm_usBankAccount").await;
        pending.assert_status(StatusCode::OK);
        assert_eq!(pending.body["payment"]["status"], "pending");
        assert_eq!(pending.body["subscription"]["status"], "incomplete");
        pay(&app, &customer, &sub, "pm_card_visa").await
            .assert_problem(StatusCode::CONFLICT, "payment_pending");
        let (intent, _) = fake.intents()[0].clone();

        let body = event("payment_intent.succeeded", &intent, None);
        let now = app.clock.now().and_utc().timestamp();
        deliver(&app, &body, None).await.assert_problem(StatusCode::BAD_REQUEST, "invalid_signature");
        deliver(&app, &body, Some(String::new())).await.assert_problem(StatusCode::BAD_REQUEST, "invalid_signature");
        deliver(&app, &body, Some(stripe_signature("whsec_other", &body, now))).await
            .assert_problem(StatusCode::BAD_REQUEST, "invalid_signature");
        deliver(&app, &body, Some(stripe_signature(WEBHOOK_SECRET, &body, now - 301))).await
            .assert_problem(StatusCode::BAD_REQUEST, "invalid_signature");
        let tampered = body.replace("succeeded", "payment_failed");
        deliver(&app, &tampered, Some(stripe_signature(WEBHOOK_SECRET, &body, now))).await
            .assert_problem(StatusCode::BAD_REQUEST, "invalid_signature");
        deliver_signed(&app, "not json").await.assert_problem(StatusCode::BAD_REQUEST, "invalid_event");
        // Other event types are acknowledged and change nothing.
        deliver_signed(&app, &event("charge.refunded", &intent, None)).await
            .assert_status(StatusCode::NO_CONTENT);
        assert_eq!(payments(&app, &customer, &sub).await[0]["status"], "pending");

        deliver_signed(&app, &body).await.assert_status(StatusCode::NO_CONTENT);
        let settled = &payments(&app, &customer, &sub).await[0];
        assert_eq!(settled["status"], "succeeded");
        assert!(settled["settled_at"].is_string());
        let now_active = app.get(&format!("subscriptions/{sub}"), &customer).await;
        assert_eq!(now_active.body["status"], "active");
        // Stripe delivers at least once: a repeat changes nothing (one receipt).
        deliver_signed(&app, &body).await.assert_status(StatusCode::NO_CONTENT);
        let receipts = app.get("outbox?to=shop1@example.com", &admin).await;
        let receipts = receipts.body["items"].as_array().expect("items").iter()
            .filter(|e| e["subject"].as_str().is_some_and(|s| s.starts_with("Receipt"))).count();
        assert_eq!(receipts, 1);
        // An event for a charge made elsewhere is acknowledged.
        deliver_signed(&app, &event("payment_intent.succeeded", "pi_elsewhere", None)).await
            .assert_status(StatusCode::NO_CONTENT);
    }

    async fn a_renewal_debit_that_fails_later_makes_the_subscription_past_due(app, fake) {
        let (_, customer, sub) = subscribed(&app).await;
        pay(&app, &customer, &sub, "pm_usBankAccount").await.assert_status(StatusCode::OK);
        let (first, _) = fake.intents()[0].clone();
        deliver_signed(&app, &event("payment_intent.succeeded", &first, None)).await
            .assert_status(StatusCode::NO_CONTENT);

        // The renewal's debit is pending: no retry is scheduled while it is.
        later(&app, 32).await;
        let list = payments(&app, &customer, &sub).await;
        assert_eq!(list[0]["status"], "pending");
        let renewed = app.get(&format!("subscriptions/{sub}"), &customer).await;
        assert_eq!(renewed.body["status"], "active");
        assert!(renewed.body["open_invoice"]["next_payment_attempt"].is_null());
        let (second, _) = fake.intents()[1].clone();

        let failed = event("payment_intent.payment_failed", &second,
            Some(("insufficient_funds", "The account has insufficient funds.")));
        deliver_signed(&app, &failed).await.assert_status(StatusCode::NO_CONTENT);
        let list = payments(&app, &customer, &sub).await;
        assert_eq!(list[0]["status"], "failed");
        assert_eq!(list[0]["failure_code"], "insufficient_funds");
        let past_due = app.get(&format!("subscriptions/{sub}"), &customer).await;
        assert_eq!(past_due.body["status"], "past_due");
        assert!(past_due.body["open_invoice"]["next_payment_attempt"].is_string(), "retry scheduled");
        // The retry is a new attempt: a new key, the saved method.
        later(&app, 1).await;
        let intents = fake.seen_at("/v1/payment_intents");
        assert_eq!(intents.len(), 3);
        assert_ne!(intents[1].idempotency_key, intents[2].idempotency_key);
    }
}

#[tokio::test]
async fn the_stripe_webhook_is_404_without_the_stripe_provider() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let body = event("payment_intent.succeeded", "pi_1", None);
    let now = app.clock.now().and_utc().timestamp();
    deliver(
        &app,
        &body,
        Some(stripe_signature(WEBHOOK_SECRET, &body, now)),
    )
    .await
    .assert_status(StatusCode::NOT_FOUND);
}

#[test]
fn the_stripe_provider_needs_its_keys() {
    let mut settings = crate::helpers::test_settings("unused.db".into());
    settings.payment_provider = api::settings::PaymentProviderKind::Stripe;
    let error = settings.stripe().expect_err("no keys").to_string();
    assert!(error.contains("STRIPE_SECRET_KEY"), "{error}");
    settings.stripe_secret_key = Some(SECRET_KEY.into());
    settings.stripe_webhook_secret = Some(WEBHOOK_SECRET.into());
    assert!(settings.stripe().expect("configured").is_some());
}
