//! Quote requests of Standard apps: sent by the app, answered by the owner with offers, accepted
//! or declined by the app, expired when the offer runs out, and ordered at the quoted prices.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::{Reply, TestApp};
use crate::orders::{hours_ago, standard_app};

/// A quote request for a sofa and two armchairs, as an app sends it.
pub fn quote_request() -> Value {
    json!({
        "lines": [
            {"sku": "SOFA-3S", "name": "Three-seat sofa", "quantity": 1},
            {"sku": "CHAIR", "name": "Armchair", "quantity": 2}
        ],
        "message": "Delivery to Utrecht possible?",
        "contact_name": "Quinn Quote",
        "contact_email": "Quinn@Mail.example",
        "contact_phone": "+31 6 1234 5678"
    })
}

fn in_days(days: i64) -> String {
    (api::clock::now().and_utc() + chrono::Duration::days(days)).to_rfc3339()
}

fn priced(valid_days: i64) -> Value {
    json!({
        "currency": "EUR",
        "lines": [{"sku": "SOFA-3S", "unit_price": 89900}, {"sku": "CHAIR", "unit_price": 24950}],
        "message": "Delivery included.",
        "valid_until": in_days(valid_days)
    })
}

async fn sdk_get(app: &TestApp, path: &str, key: &str) -> Reply {
    let req = app
        .client
        .get(app.url(&format!("sdk/{path}")))
        .header("X-App-Key", key);
    Reply::from(req.send().await.expect("sent")).await
}

/// A new quote request of the app: its id and its access key (which only the sending device has).
async fn send(app: &TestApp, key: &str) -> (String, String) {
    let sent = app.sdk("quote-requests", key, quote_request()).await;
    sent.assert_status(StatusCode::CREATED);
    assert_eq!(sent.body["status"], "new");
    let id = sent.body["id"].as_str().expect("id").to_owned();
    (
        id,
        sent.body["access_key"]
            .as_str()
            .expect("an access key")
            .to_owned(),
    )
}

/// A request of the device that sent a quote request: the app's key and the quote's key.
async fn device(
    app: &TestApp,
    method: Method,
    path: &str,
    key: &str,
    quote_key: &str,
    body: Option<Value>,
) -> Reply {
    let req = app
        .client
        .request(method, app.url(&format!("sdk/{path}")))
        .header("X-App-Key", key)
        .header("X-Quote-Key", quote_key);
    let req = match body {
        Some(body) => req.json(&body),
        None => req,
    };
    Reply::from(req.send().await.expect("sent")).await
}

both_backends! {
    async fn a_quote_is_requested_answered_accepted_and_ordered_at_its_prices(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        let (id, qk) = send(&app, &key).await;
        let base = format!("apps/{app_id}/quote-requests/{id}");

        let inbox = app.get(&format!("apps/{app_id}/quote-requests?status=new"), &customer).await;
        assert_eq!(inbox.body["total"], 1);
        assert_eq!(inbox.body["items"][0]["contact_email"], "quinn@mail.example");
        assert_eq!(inbox.body["items"][0]["lines"][1]["quantity"], 2);

        // The app cannot accept before there is an offer.
        device(&app, Method::POST, &format!("quote-requests/{id}/accept"), &key, &qk, None)
            .await
            .assert_problem(StatusCode::CONFLICT, "illegal_transition");

        let first = app.post(&format!("{base}/responses"), Some(&customer), json!({"currency": "EUR", "total": 130000, "valid_until": in_days(7)})).await;
        first.assert_status(StatusCode::CREATED);
        assert_eq!(first.body["status"], "quoted");
        // A better offer replaces it; both stay in the history.
        let second = app.post(&format!("{base}/responses"), Some(&customer), priced(7)).await;
        second.assert_status(StatusCode::CREATED);
        assert_eq!(second.body["offer"]["total"], 89900 + 2 * 24950);
        assert_eq!(second.body["responses"].as_array().map(Vec::len), Some(2));
        assert_eq!(second.body["responses"][1]["responded_by"], "shop@example.com");

        // The app reads the offer in force (without who answered) and accepts it.
        let seen = device(&app, Method::GET, &format!("quote-requests/{id}"), &key, &qk, None).await;
        seen.assert_status(StatusCode::OK);
        assert_eq!(seen.body["offer"]["lines"][0]["unit_price"], 89900);
        assert!(seen.body["offer"].get("responded_by").is_none());
        let accepted = device(&app, Method::POST, &format!("quote-requests/{id}/accept"), &key, &qk, None).await;
        accepted.assert_status(StatusCode::OK);
        assert_eq!(accepted.body["status"], "accepted");
        // Settled: the owner can no longer answer.
        app.post(&format!("{base}/responses"), Some(&customer), priced(7))
            .await
            .assert_problem(StatusCode::CONFLICT, "illegal_transition");

        let order = |lines: Value, total: i64, number: &str| json!({
            "order_number": number, "placed_at": hours_ago(0), "currency": "EUR",
            "lines": lines, "total": total, "quote_id": id,
            "guest_email": "quinn@mail.example", "guest_name": "Quinn Quote"
        });
        // Other prices than the offer's are refused.
        let cheap = device(&app, Method::POST, "orders", &key, &qk, Some(order(json!([
            {"sku": "SOFA-3S", "name": "Sofa", "quantity": 1, "unit_price": 100},
            {"sku": "CHAIR", "name": "Chair", "quantity": 2, "unit_price": 24950}
        ]), 100 + 49900, "Q-1"))).await;
        cheap.assert_problem(StatusCode::CONFLICT, "quote_mismatch");
        // So are other quantities.
        let more = device(&app, Method::POST, "orders", &key, &qk, Some(order(json!([
            {"sku": "SOFA-3S", "name": "Sofa", "quantity": 2, "unit_price": 89900},
            {"sku": "CHAIR", "name": "Chair", "quantity": 2, "unit_price": 24950}
        ]), 2 * 89900 + 49900, "Q-2"))).await;
        more.assert_problem(StatusCode::CONFLICT, "quote_mismatch");
        let ordered = device(&app, Method::POST, "orders", &key, &qk, Some(order(json!([
            {"sku": "CHAIR", "name": "Chair", "quantity": 2, "unit_price": 24950},
            {"sku": "SOFA-3S", "name": "Sofa", "quantity": 1, "unit_price": 89900}
        ]), 89900 + 49900, "Q-3"))).await;
        ordered.assert_status(StatusCode::CREATED);
        assert_eq!(ordered.body["quote_id"], id.as_str());
        // A quote is ordered once.
        let twice = device(&app, Method::POST, "orders", &key, &qk, Some(order(json!([
            {"sku": "CHAIR", "name": "Chair", "quantity": 2, "unit_price": 24950},
            {"sku": "SOFA-3S", "name": "Sofa", "quantity": 1, "unit_price": 89900}
        ]), 89900 + 49900, "Q-4"))).await;
        twice.assert_problem(StatusCode::CONFLICT, "quote_already_ordered");

        let detail = app.get(&base, &customer).await;
        assert_eq!(detail.body["order_id"], ordered.body["id"]);
        let audit = app.get("audit-events?action=quote_request.respond", &customer).await;
        assert_eq!(audit.body["total"], 2);
    }

    async fn an_offer_that_runs_out_expires_and_can_no_longer_be_accepted(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        let (id, qk) = send(&app, &key).await;
        let base = format!("apps/{app_id}/quote-requests/{id}");
        app.post(&format!("{base}/responses"), Some(&customer), priced(3)).await.assert_status(StatusCode::CREATED);

        app.clock.advance(chrono::Duration::days(4));
        let seen = device(&app, Method::GET, &format!("quote-requests/{id}"), &key, &qk, None).await;
        assert_eq!(seen.body["status"], "expired");
        device(&app, Method::POST, &format!("quote-requests/{id}/accept"), &key, &qk, None)
            .await
            .assert_problem(StatusCode::CONFLICT, "quote_expired");
        app.post(&format!("{base}/responses"), Some(&customer), priced(30))
            .await
            .assert_problem(StatusCode::CONFLICT, "quote_expired");
        let counts = app.get(&format!("apps/{app_id}/quote-requests/counts"), &customer).await;
        assert_eq!(counts.body, json!({"new": 0, "quoted": 0, "accepted": 0, "declined": 0, "expired": 1}));
    }

    async fn the_expiry_job_marks_every_run_out_offer_at_once(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        let (soon, _) = send(&app, &key).await;
        let (later, _) = send(&app, &key).await;
        for (id, days) in [(&soon, 2), (&later, 10)] {
            app.post(&format!("apps/{app_id}/quote-requests/{id}/responses"), Some(&customer), priced(days))
                .await
                .assert_status(StatusCode::CREATED);
        }
        let now = app.clock.now() + chrono::Duration::days(3);
        let db = app.db.clone();
        let expired = tokio::task::spawn_blocking(move || {
            let mut conn = db.get().expect("connection");
            api::db::quotes::expire(&mut conn, None, now)
        })
        .await
        .expect("ran")
        .expect("expired");
        assert_eq!(expired, 1);
        let soon = app.get(&format!("apps/{app_id}/quote-requests/{soon}"), &customer).await;
        assert_eq!(soon.body["status"], "expired");
        let later = app.get(&format!("apps/{app_id}/quote-requests/{later}"), &customer).await;
        assert_eq!(later.body["status"], "quoted");
    }

    async fn offers_must_price_what_was_asked(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        let (id, _) = send(&app, &key).await;
        let path = format!("apps/{app_id}/quote-requests/{id}/responses");
        let cases = [
            (json!({"currency": "EUR", "valid_until": in_days(3)}), "total"),
            (json!({"currency": "EUR", "total": 5, "valid_until": hours_ago(1)}), "valid_until"),
            (json!({"currency": "EUROS", "total": 5, "valid_until": in_days(3)}), "currency"),
            (json!({"currency": "EUR", "lines": [{"sku": "SOFA-3S", "unit_price": 100}], "valid_until": in_days(3)}), "lines"),
            (json!({"currency": "EUR", "lines": [{"sku": "SOFA-3S", "unit_price": 100}, {"sku": "CHAIR", "unit_price": 10}], "total": 5, "valid_until": in_days(3)}), "total"),
            (json!({"currency": "EUR", "lines": [{"sku": "SOFA-3S", "unit_price": -1}, {"sku": "CHAIR", "unit_price": 10}], "valid_until": in_days(3)}), "lines[0].unit_price"),
        ];
        for (body, field) in cases {
            let reply = app.post(&path, Some(&customer), body.clone()).await;
            reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert!(reply.error_fields().contains(&field.to_owned()), "{body}: {}", reply.text);
        }
        // A request naming a sku twice, or none at all, is refused at the door.
        let mut twice = quote_request();
        twice["lines"][1]["sku"] = json!("SOFA-3S");
        let reply = app.sdk("quote-requests", &key, twice).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.error_fields(), ["lines"]);
        let mut empty = quote_request();
        empty["lines"] = json!([]);
        app.sdk("quote-requests", &key, empty).await.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn an_offer_may_run_until_a_date_and_a_bad_date_time_says_what_it_expects(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        let (id, _) = send(&app, &key).await;
        let path = format!("apps/{app_id}/quote-requests/{id}/responses");
        // A person writing "until the 10th" means the end of that day (UTC, as the spec says).
        let day = (api::clock::now().and_utc() + chrono::Duration::days(3)).date_naive();
        let offer = app.post(&path, Some(&customer), json!({"currency": "EUR", "total": 500, "valid_until": day.to_string()})).await;
        offer.assert_status(StatusCode::CREATED);
        assert_eq!(offer.body["offer"]["valid_until"], format!("{day}T23:59:59Z"));
        let yesterday = (api::clock::now().and_utc() - chrono::Duration::days(1)).date_naive();
        let past = app.post(&path, Some(&customer), json!({"currency": "EUR", "total": 500, "valid_until": yesterday.to_string()})).await;
        assert_eq!(past.error_fields(), ["valid_until"]);

        // What a date-time field that cannot be read is told: its format and an example, never
        // the parser's words ("premature end of input").
        for bad in [json!("2026-12-10T25"), json!("next week"), json!(20261210)] {
            let reply = app.post(&path, Some(&customer), json!({"currency": "EUR", "total": 500, "valid_until": bad})).await;
            reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert_eq!(reply.error_fields(), ["valid_until"]);
            assert_eq!(reply.body["errors"][0]["message"], types::when::DATE_OR_DATE_TIME_EXPECTED, "{bad}");
        }
        let order = crate::orders::with(crate::orders::order("D-1"), json!({"placed_at": "2026-12-10"}));
        let reply = app.sdk("orders", &key, order).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.error_fields(), ["placed_at"]);
        assert_eq!(reply.body["errors"][0]["message"], types::when::DATE_TIME_EXPECTED);
        let query = app.get(&format!("apps/{app_id}/quote-requests?from=2026-12-10T25"), &customer).await;
        query.assert_problem(StatusCode::BAD_REQUEST, "invalid_query");
        assert!(query.body["detail"].as_str().is_some_and(|d| d.contains("2026-12-10T23:59:59Z")), "{}", query.text);
    }

    async fn the_owner_or_the_app_may_decline(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        let (by_owner, qk_owner) = send(&app, &key).await;
        let declined = app
            .call(Method::POST, &format!("apps/{app_id}/quote-requests/{by_owner}/decline"), Some(&customer), None)
            .await;
        declined.assert_status(StatusCode::OK);
        assert_eq!(declined.body["status"], "declined");
        device(&app, Method::POST, &format!("quote-requests/{by_owner}/accept"), &key, &qk_owner, None)
            .await
            .assert_problem(StatusCode::CONFLICT, "illegal_transition");
        let (by_app, qk_app) = send(&app, &key).await;
        device(&app, Method::POST, &format!("quote-requests/{by_app}/decline"), &key, &qk_app, None).await.assert_status(StatusCode::OK);
        let inbox = app.get(&format!("apps/{app_id}/quote-requests?status=declined&q=sofa"), &customer).await;
        assert_eq!(inbox.body["total"], 2);
    }

    async fn another_apps_key_or_tenant_finds_no_quote(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        let (id, qk) = send(&app, &key).await;
        let (_, other_customer) = app.customer("other@example.com", None).await;
        let other = app.create_app(&other_customer, json!({"edition": "standard"})).await;
        let other_key = other["app_key"].as_str().expect("key");
        for (method, path) in [(Method::GET, format!("quote-requests/{id}")), (Method::POST, format!("quote-requests/{id}/accept")), (Method::POST, format!("quote-requests/{id}/decline"))] {
            device(&app, method, &path, other_key, &qk, None).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        }
        for path in [
            format!("apps/{app_id}/quote-requests"),
            format!("apps/{app_id}/quote-requests/counts"),
            format!("apps/{app_id}/quote-requests/{id}"),
        ] {
            app.get(&path, &other_customer).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        }
        app.post(&format!("apps/{app_id}/quote-requests/{id}/responses"), Some(&other_customer), priced(3))
            .await
            .assert_problem(StatusCode::NOT_FOUND, "not_found");
        app.call(Method::POST, &format!("apps/{app_id}/quote-requests/{id}/decline"), Some(&other_customer), None)
            .await
            .assert_problem(StatusCode::NOT_FOUND, "not_found");
        let mine = app.get(&format!("apps/{app_id}/quote-requests/{id}"), &customer).await;
        assert_eq!(mine.body["status"], "new");
    }

    async fn only_the_device_that_sent_a_quote_request_reads_answers_or_orders_it(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        let (id, qk) = send(&app, &key).await;
        let (other, other_qk) = send(&app, &key).await;
        app.post(&format!("apps/{app_id}/quote-requests/{id}/responses"), Some(&customer), priced(7)).await.assert_status(StatusCode::CREATED);
        // The app's public key alone (every copy of the app has it) finds nothing, nor does the
        // key of another request, nor a made-up one.
        for quote_key in ["", other_qk.as_str(), "bm90LWEta2V5"] {
            for (method, path) in [(Method::GET, format!("quote-requests/{id}")), (Method::POST, format!("quote-requests/{id}/accept")), (Method::POST, format!("quote-requests/{id}/decline"))] {
                device(&app, method, &path, &key, quote_key, None).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
            }
        }
        sdk_get(&app, &format!("quote-requests/{id}"), &key).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        let seen = device(&app, Method::GET, &format!("quote-requests/{other}"), &key, &other_qk, None).await;
        seen.assert_status(StatusCode::OK);
        assert_eq!(seen.body["access_key"], other_qk.as_str());
        device(&app, Method::POST, &format!("quote-requests/{id}/accept"), &key, &qk, None).await.assert_status(StatusCode::OK);
        let order = json!({"order_number": "Q-9", "placed_at": hours_ago(0), "currency": "EUR", "quote_id": id, "total": 89900 + 49900, "guest_email": "quinn@mail.example", "guest_name": "Quinn Quote",
            "lines": [{"sku": "SOFA-3S", "name": "Sofa", "quantity": 1, "unit_price": 89900}, {"sku": "CHAIR", "name": "Chair", "quantity": 2, "unit_price": 24950}]});
        let stolen = device(&app, Method::POST, "orders", &key, &other_qk, Some(order.clone())).await;
        stolen.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(stolen.error_fields(), ["quote_id"]);
        device(&app, Method::POST, "orders", &key, &qk, Some(order)).await.assert_status(StatusCode::CREATED);
    }

    async fn a_basic_app_has_no_quote_requests(app) {
        let (_, customer) = app.customer("basic@example.com", None).await;
        let basic = app.create_app(&customer, json!({"edition": "basic"})).await;
        let id = basic["id"].as_str().expect("id");
        let key = basic["app_key"].as_str().expect("key");
        app.sdk("quote-requests", key, quote_request()).await.assert_problem(StatusCode::FORBIDDEN, "edition_required");
        sdk_get(&app, "quote-requests/1", key).await.assert_problem(StatusCode::FORBIDDEN, "edition_required");
        app.sdk("quote-requests/1/accept", key, json!({})).await.assert_problem(StatusCode::FORBIDDEN, "edition_required");
        for path in [format!("apps/{id}/quote-requests"), format!("apps/{id}/quote-requests/counts"), format!("apps/{id}/quote-requests/1")] {
            app.get(&path, &customer).await.assert_problem(StatusCode::FORBIDDEN, "edition_required");
        }
        app.post(&format!("apps/{id}/quote-requests/1/responses"), Some(&customer), priced(3))
            .await
            .assert_problem(StatusCode::FORBIDDEN, "edition_required");
    }
}
