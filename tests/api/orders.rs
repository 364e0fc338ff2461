//! Orders of Standard apps: SDK intake (idempotent by number), the back-office list, detail,
//! moves along the statuses with their trace, CSV export, and the edition and tenant rules.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::TestApp;

/// A Standard app of a partner's customer: (partner token, customer token, app id, app key).
pub async fn standard_app(app: &TestApp) -> (String, String, String, String) {
    let (partner_id, partner) = app.partner("agency@example.com").await;
    let (_, customer) = app.customer("shop@example.com", Some(partner_id)).await;
    let created = app
        .create_app(&customer, json!({"name": "Shop", "edition": "standard"}))
        .await;
    let id = created["id"].as_str().expect("id").to_owned();
    let key = created["app_key"].as_str().expect("key").to_owned();
    (partner, customer, id, key)
}

pub fn hours_ago(hours: i64) -> String {
    (api::clock::now().and_utc() - chrono::Duration::hours(hours)).to_rfc3339()
}

/// An order of two lines (2 × 10.00 + 1 × 5.50) + 4.95 shipping + 5.25 tax − 2.00 discount.
pub fn order(number: &str) -> Value {
    json!({
        "order_number": number,
        "placed_at": hours_ago(2),
        "currency": "EUR",
        "lines": [
            {"sku": "TEE-RED-M", "name": "T-shirt, red, M", "quantity": 2, "unit_price": 1000},
            {"sku": "MUG", "name": "Mug", "quantity": 1, "unit_price": 550}
        ],
        "shipping": 495,
        "tax": 525,
        "discount": 200,
        "total": 3370,
        "guest_email": "Buyer@Mail.example",
        "guest_name": "Bea Buyer"
    })
}

pub fn with(mut base: Value, changes: Value) -> Value {
    if let (Some(base), Some(changes)) = (base.as_object_mut(), changes.as_object()) {
        base.extend(changes.clone());
    }
    base
}

async fn move_to(app: &TestApp, token: &str, path: &str, body: Value) -> crate::helpers::Reply {
    app.call(Method::PATCH, path, Some(token), Some(body)).await
}

both_backends! {
    async fn an_order_reported_twice_is_stored_once(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        app.register_device(&key, "install-0001", json!({})).await.assert_status(StatusCode::CREATED);
        let body = with(order("100001"), json!({"installation_id": "install-0001"}));
        let first = app.sdk("orders", &key, body.clone()).await;
        first.assert_status(StatusCode::CREATED);
        assert_eq!(first.body["status"], "pending");
        assert_eq!(first.body["subtotal"], 2550);
        assert_eq!(first.body["buyer"]["email"], "buyer@mail.example");
        assert_eq!(first.body["buyer"]["guest"], true);
        assert_eq!(first.body["device"]["model"], "iPhone 15");
        assert_eq!(first.body["lines"][0]["line_total"], 2000);
        assert_eq!(first.body["history"][0]["actor"]["type"], "app");

        // The owner starts on it; the answer was lost, and the app sends the very same order again.
        let path = format!("apps/{app_id}/orders/{}", first.body["id"].as_str().expect("id"));
        move_to(&app, &customer, &path, json!({"status": "processing"})).await.assert_status(StatusCode::OK);
        let again = app.sdk("orders", &key, body.clone()).await;
        again.assert_status(StatusCode::OK);
        assert_eq!(again.body["id"], first.body["id"]);
        assert_eq!(again.body["status"], "processing");
        // The app sees the trace, not who in the back office moved the order.
        assert_eq!(again.body["history"][1]["actor"]["type"], "account");
        assert!(again.body["history"][1]["actor"]["email"].is_null());
        // Another order under the same number is refused.
        let other = app.sdk("orders", &key, with(body, json!({"shipping": 0, "total": 2875}))).await;
        other.assert_problem(StatusCode::CONFLICT, "order_number_taken");

        let list = app.get(&format!("apps/{app_id}/orders"), &customer).await;
        list.assert_status(StatusCode::OK);
        assert_eq!(list.body["total"], 1);
        assert_eq!(list.body["items"][0]["line_count"], 2);
    }

    async fn the_same_order_sent_twice_at_once_is_stored_once(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        let body = order("100002");
        let (a, b) = tokio::join!(app.sdk("orders", &key, body.clone()), app.sdk("orders", &key, body));
        let mut statuses = [a.status.as_u16(), b.status.as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 201], "{} / {}", a.text, b.text);
        assert_eq!(a.body["id"], b.body["id"]);
        let list = app.get(&format!("apps/{app_id}/orders"), &customer).await;
        assert_eq!(list.body["total"], 1);
    }

    async fn an_order_that_does_not_add_up_is_refused_naming_the_field(app) {
        let (_, _, _, key) = standard_app(&app).await;
        let cases = [
            (json!({"total": 3371}), "total"),
            (json!({"currency": "EURO"}), "currency"),
            (json!({"currency": "XTS"}), "currency"),
            (json!({"lines": [{"sku": "A", "name": "A", "quantity": -1, "unit_price": 100}], "total": 720}), "lines[0].quantity"),
            (json!({"lines": [{"sku": "A", "name": "A", "quantity": 1, "unit_price": -5}], "total": 720}), "lines[0].unit_price"),
            (json!({"lines": []}), "lines"),
            (json!({"guest_email": null, "guest_name": null}), "mobile_user_id"),
            (json!({"guest_name": null}), "guest_name"),
            (json!({"mobile_user_id": "999"}), "guest_email"),
            (json!({"placed_at": (api::clock::now().and_utc() + chrono::Duration::days(2)).to_rfc3339()}), "placed_at"),
            (json!({"installation_id": "short"}), "installation_id"),
        ];
        for (change, field) in cases {
            let reply = app.sdk("orders", &key, with(order("200001"), change.clone())).await;
            reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert!(reply.error_fields().contains(&field.to_owned()), "{change}: {}", reply.text);
        }
        // A buyer who is not a user of this app.
        let reply = app
            .sdk("orders", &key, with(order("200002"), json!({"guest_email": null, "guest_name": null, "mobile_user_id": "424242"})))
            .await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.error_fields(), ["mobile_user_id"]);
    }

    async fn a_signed_in_buyer_is_the_apps_mobile_user(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        let user = app
            .sdk("mobile-users", &key, json!({"email": "sam@mail.example", "first_name": "Sam", "last_name": "Smith"}))
            .await;
        user.assert_status(StatusCode::CREATED);
        let handle = user.body["mobile_user_ref"].as_str().expect("handle");
        let users = app.get(&format!("apps/{app_id}/mobile-users"), &customer).await;
        let user_id = users.body["items"][0]["id"].as_str().expect("id").to_owned();
        // By the SDK's handle, or by the back office's id: the same buyer; both at once is a 422.
        let body = with(order("300001"), json!({"guest_email": null, "guest_name": null, "mobile_user_ref": handle}));
        let created = app.sdk("orders", &key, body).await;
        created.assert_status(StatusCode::CREATED);
        assert_eq!(created.body["buyer"]["mobile_user_id"], user_id.as_str());
        let by_id = with(order("300002"), json!({"guest_email": null, "guest_name": null, "mobile_user_id": user_id}));
        app.sdk("orders", &key, by_id).await.assert_status(StatusCode::CREATED);
        let both = with(order("300003"), json!({"guest_email": null, "guest_name": null, "mobile_user_id": user_id, "mobile_user_ref": handle}));
        assert_eq!(app.sdk("orders", &key, both).await.error_fields(), ["mobile_user_ref"]);
        let unknown = with(order("300004"), json!({"guest_email": null, "guest_name": null, "mobile_user_ref": "mu_nobodyhere"}));
        assert_eq!(app.sdk("orders", &key, unknown).await.error_fields(), ["mobile_user_ref"]);
        assert_eq!(created.body["buyer"]["name"], "Sam Smith");
        assert_eq!(created.body["buyer"]["guest"], false);
        let found = app.get(&format!("apps/{app_id}/orders?q=SMITH"), &customer).await;
        assert_eq!(found.body["total"], 2);
    }

    async fn the_owner_moves_an_order_along_and_the_trace_shows_every_step(app) {
        let (partner, customer, app_id, key) = standard_app(&app).await;
        let created = app.sdk("orders", &key, order("400001")).await;
        let path = format!("apps/{app_id}/orders/{}", created.body["id"].as_str().expect("id"));

        // Not straight to shipped: the answer names the allowed moves.
        let skip = move_to(&app, &customer, &path, json!({"status": "shipped"})).await;
        skip.assert_problem(StatusCode::CONFLICT, "illegal_transition");
        assert!(skip.body["detail"].as_str().is_some_and(|d| d.contains("processing") && d.contains("canceled")));

        let read = app.get(&path, &customer).await;
        let etag = read.header("etag").expect("etag").to_owned();
        move_to(&app, &customer, &path, json!({"status": "processing"})).await.assert_status(StatusCode::OK);
        // An edit based on the version read before that move is stale.
        let stale = app
            .client
            .patch(app.url(&path))
            .bearer_auth(&customer)
            .header("If-Match", &etag)
            .json(&json!({"status": "shipped"}))
            .send()
            .await
            .expect("sent");
        assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
        // The partner works its customer's orders too.
        move_to(&app, &partner, &path, json!({"status": "shipped", "note": "DHL 00340434"})).await.assert_status(StatusCode::OK);
        move_to(&app, &customer, &path, json!({"status": "completed"})).await.assert_status(StatusCode::OK);
        let too_much = move_to(&app, &customer, &path, json!({"status": "refunded", "refunded_amount": 3371})).await;
        too_much.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(too_much.error_fields(), ["refunded_amount"]);
        let part = move_to(&app, &customer, &path, json!({"status": "refunded", "refunded_amount": 1000, "note": "mug broken"})).await;
        part.assert_status(StatusCode::OK);
        assert_eq!(part.body["refunded_amount"], 1000);
        let rest = move_to(&app, &customer, &path, json!({"status": "refunded"})).await;
        assert_eq!(rest.body["refunded_amount"], 3370);
        move_to(&app, &customer, &path, json!({"status": "refunded"}))
            .await
            .assert_problem(StatusCode::CONFLICT, "illegal_transition");

        let history = &rest.body["history"];
        let steps: Vec<&str> = history.as_array().expect("history").iter().map(|h| h["status"].as_str().unwrap_or("")).collect();
        assert_eq!(steps, ["pending", "processing", "shipped", "completed", "refunded", "refunded"]);
        assert_eq!(history[0]["actor"]["type"], "app");
        assert_eq!(history[1]["actor"]["email"], "shop@example.com");
        assert_eq!(history[2]["actor"]["email"], "agency@example.com");
        assert_eq!(history[2]["note"], "DHL 00340434");
        assert_eq!(history[4]["refunded_amount"], 1000);

        // Each successful move is audited: the customer sees its own four, the partner all five.
        let audit = app.get("audit-events?action=order.update", &customer).await;
        assert_eq!(audit.body["total"], 4, "{}", audit.text);
        let audit = app.get("audit-events?action=order.update", &partner).await;
        assert_eq!(audit.body["total"], 5, "{}", audit.text);
    }

    async fn a_canceled_order_goes_nowhere(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        let created = app.sdk("orders", &key, order("500001")).await;
        let path = format!("apps/{app_id}/orders/{}", created.body["id"].as_str().expect("id"));
        move_to(&app, &customer, &path, json!({"status": "canceled"})).await.assert_status(StatusCode::OK);
        let again = move_to(&app, &customer, &path, json!({"status": "processing"})).await;
        again.assert_problem(StatusCode::CONFLICT, "illegal_transition");
        let refund = move_to(&app, &customer, &path, json!({"status": "processing", "refunded_amount": 5})).await;
        assert!(refund.status == StatusCode::CONFLICT || refund.status == StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn the_orders_list_filters_and_pages_by_cursor(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        for (i, (hours, total_change)) in [(30, 0), (20, 1000), (10, 0), (5, 0), (1, 0)].iter().enumerate() {
            let mut body = with(order(&format!("600{i:03}")), json!({"placed_at": hours_ago(*hours)}));
            if *total_change > 0 {
                body = with(body, json!({"shipping": 495 + total_change, "total": 3370 + total_change, "guest_email": "vip@mail.example", "guest_name": "Vera Important"}));
            }
            app.sdk("orders", &key, body).await.assert_status(StatusCode::CREATED);
        }
        let base = format!("apps/{app_id}/orders");
        let newest = app.get(&format!("{base}?per_page=2"), &customer).await;
        assert_eq!(newest.body["total"], 5);
        assert_eq!(newest.body["items"][0]["order_number"], "600004");
        let cursor = newest.body["next_cursor"].as_str().expect("cursor").to_owned();
        let next = app.get(&format!("{base}?per_page=2&cursor={cursor}"), &customer).await;
        assert_eq!(next.body["items"][0]["order_number"], "600002");

        let by_total = app.get(&format!("{base}?total_min=4000"), &customer).await;
        assert_eq!(by_total.body["total"], 1);
        assert_eq!(by_total.body["items"][0]["order_number"], "600001");
        let by_q = app.get(&format!("{base}?q=vera"), &customer).await;
        assert_eq!(by_q.body["total"], 1);
        let by_number = app.get(&format!("{base}?q=60000"), &customer).await;
        assert_eq!(by_number.body["total"], 5);
        let from = urlencode(&hours_ago(12));
        let to = urlencode(&hours_ago(3));
        let by_date = app.get(&format!("{base}?placed_from={from}&placed_to={to}"), &customer).await;
        assert_eq!(by_date.body["total"], 2, "{}", by_date.text);
        let by_status = app.get(&format!("{base}?status=shipped"), &customer).await;
        assert_eq!(by_status.body["total"], 0);
        app.get(&format!("{base}?status=lost"), &customer)
            .await
            .assert_status(StatusCode::BAD_REQUEST);
    }

    async fn the_csv_export_holds_every_matching_order(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        // More than one chunk of the stream.
        let db = app.db.clone();
        let app_id_num: i64 = app_id.parse().expect("id");
        tokio::task::spawn_blocking(move || insert_orders(&db, app_id_num, 2_345)).await.expect("seeded");
        app.sdk("orders", &key, with(order("=cmd"), json!({}))).await.assert_status(StatusCode::CREATED);

        let response = app
            .client
            .get(app.url(&format!("apps/{app_id}/orders/export")))
            .bearer_auth(&customer)
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()["content-type"].to_str().is_ok_and(|t| t.starts_with("text/csv")));
        let text = response.text().await.expect("body");
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("id,order_number,placed_at,status,currency"));
        assert_eq!(lines.len(), 1 + 2_345 + 1);
        // A cell that a spreadsheet would run as a formula is defused.
        assert!(text.contains(",'=cmd,"), "{}", &lines[1]);
        let mut ids: Vec<&str> = lines[1..].iter().map(|l| l.split(',').next().unwrap_or("")).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 2_346, "no order twice");

        let filtered = app.get(&format!("apps/{app_id}/orders/export?q=cmd"), &customer).await;
        filtered.assert_status(StatusCode::OK);
        assert_eq!(filtered.text.lines().count(), 2);
    }

    async fn a_basic_app_has_no_orders(app) {
        let (_, customer) = app.customer("basic@example.com", None).await;
        let basic = app.create_app(&customer, json!({"edition": "basic"})).await;
        let id = basic["id"].as_str().expect("id");
        let key = basic["app_key"].as_str().expect("key");
        app.sdk("orders", key, order("1")).await.assert_problem(StatusCode::FORBIDDEN, "edition_required");
        app.get(&format!("apps/{id}/orders"), &customer).await.assert_problem(StatusCode::FORBIDDEN, "edition_required");
        app.get(&format!("apps/{id}/orders/1"), &customer).await.assert_problem(StatusCode::FORBIDDEN, "edition_required");
        app.get(&format!("apps/{id}/orders/export"), &customer).await.assert_problem(StatusCode::FORBIDDEN, "edition_required");
        move_to(&app, &customer, &format!("apps/{id}/orders/1"), json!({"status": "processing"}))
            .await
            .assert_problem(StatusCode::FORBIDDEN, "edition_required");
    }

    async fn another_tenants_orders_are_not_found(app) {
        let (_, customer, app_id, key) = standard_app(&app).await;
        let created = app.sdk("orders", &key, order("700001")).await;
        let order_id = created.body["id"].as_str().expect("id").to_owned();
        let (other_partner_id, other_partner) = app.partner("other-agency@example.com").await;
        let (_, other_customer) = app.customer("other@example.com", Some(other_partner_id)).await;
        let other_app = app.create_app(&other_customer, json!({"edition": "standard"})).await;
        let other_app_id = other_app["id"].as_str().expect("id");
        for token in [&other_partner, &other_customer] {
            for path in [
                format!("apps/{app_id}/orders"),
                format!("apps/{app_id}/orders/export"),
                format!("apps/{app_id}/orders/{order_id}"),
                // The order, looked for under an app the caller does own.
                format!("apps/{other_app_id}/orders/{order_id}"),
            ] {
                if token == &other_partner && path.starts_with(&format!("apps/{other_app_id}")) {
                    continue;
                }
                app.get(&path, token).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
            }
            move_to(&app, token, &format!("apps/{app_id}/orders/{order_id}"), json!({"status": "processing"}))
                .await
                .assert_problem(StatusCode::NOT_FOUND, "not_found");
        }
        app.get(&format!("apps/{other_app_id}/orders/{order_id}"), &other_customer)
            .await
            .assert_problem(StatusCode::NOT_FOUND, "not_found");
        // Still untouched for its owner.
        let mine = app.get(&format!("apps/{app_id}/orders/{order_id}"), &customer).await;
        assert_eq!(mine.body["status"], "pending");
    }
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

/// `n` orders straight into the database (a large export without `n` HTTP calls).
pub fn insert_orders(db: &api::db::Db, app_id: i64, n: usize) {
    use api::db::orders::{LineRow, NewOrder, OrderRow};
    let mut conn = db.get().expect("connection");
    let now = db.clock().now();
    for i in 0..n {
        let new = NewOrder {
            app_id,
            order_number: format!("bulk-{i:06}"),
            status: "pending",
            currency: "EUR".into(),
            placed_at: now - chrono::Duration::minutes(i as i64 + 10),
            subtotal: 1000,
            shipping: 0,
            tax: 0,
            discount: 0,
            total: 1000,
            line_count: 1,
            mobile_user_id: None,
            buyer_email: Some(format!("b{i}@mail.example")),
            buyer_name: Some("Bulk Buyer".into()),
            guest: true,
            installation_id: None,
            device_id: None,
            quote_id: None,
            content_hash: format!("{i}"),
            created_at: now,
            updated_at: now,
        };
        let line = LineRow {
            id: 0,
            order_id: 0,
            position: 0,
            sku: "BULK".into(),
            name: "Bulk".into(),
            quantity: 1,
            unit_price: 1000,
        };
        OrderRow::insert(&mut conn, &new, vec![line]).expect("inserted");
    }
}
