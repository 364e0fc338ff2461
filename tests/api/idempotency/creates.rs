//! Every keyed operation with what it needs: a partner's customer with a Standard app, a plan, a quote request, a subscription with an open invoice.

use super::*;

/// Every keyed operation with what it needs: a partner's customer with a Standard stand-alone
/// app, a plan, a quote request of the app, a subscription of another app with an open invoice.
pub(super) async fn every_create(app: &TestApp) -> Vec<Create> {
    let admin = app.admin().await;
    let (partner_id, partner) = app.partner("agency@example.com").await;
    let (_, customer) = app.customer("shop@example.com", Some(partner_id)).await;
    let shop = app
        .create_app(&customer, json!({"name": "Shop", "edition": "standard"}))
        .await;
    let app_id = shop["id"].as_str().expect("id").to_owned();
    let key = shop["app_key"].as_str().expect("key").to_owned();
    let plan = app
        .post(
            "plans",
            Some(&admin),
            json!({"name": "Monthly", "edition": "standard",
            "interval": "month", "price": 1000, "currency": "EUR"}),
        )
        .await;
    plan.assert_status(StatusCode::CREATED);
    let plan_id = id(&plan);
    let quote = app.sdk("quote-requests", &key, quote_request()).await;
    quote.assert_status(StatusCode::CREATED);
    let quote_id = id(&quote);
    let paid = app.create_app(&customer, json!({"name": "Paid"})).await;
    let paid_id = paid["id"].as_str().expect("id").to_owned();
    let sub = app
        .post(
            &format!("apps/{paid_id}/subscription"),
            Some(&customer),
            json!({"plan_id": plan_id}),
        )
        .await;
    sub.assert_status(StatusCode::CREATED);
    let sub_id = id(&sub);

    let (admin, partner, customer) = (
        Auth::Bearer(admin),
        Auth::Bearer(partner),
        Auth::Bearer(customer),
    );
    let sdk = Auth::AppKey(key);
    let apps = format!("apps/{app_id}");
    vec![
        Create {
            op: "create_partner",
            path: "partners".into(),
            auth: admin.clone(),
            body: Body::Json(
                json!({"email": "second@agency.example", "company": "Second Agency", "first_name": "Sam", "last_name": "Second"}),
            ),
            count: ("partners".into(), "/total"),
        },
        Create {
            op: "create_customer",
            path: "customers".into(),
            auth: partner.clone(),
            body: Body::Json(
                json!({"email": "new@shop.example", "first_name": "Nia", "last_name": "New",
                "status": "pending_activation"}),
            ),
            count: ("customers".into(), "/total"),
        },
        Create {
            op: "create_app",
            path: "apps".into(),
            auth: customer.clone(),
            body: Body::Json(json!({"name": "Another", "kind": "standalone", "edition": "basic"})),
            count: ("apps".into(), "/total"),
        },
        Create {
            op: "create_plan",
            path: "plans".into(),
            auth: admin.clone(),
            body: Body::Json(
                json!({"name": "Yearly", "edition": "basic", "interval": "year", "price": 9900,
                "currency": "EUR"}),
            ),
            count: ("plans".into(), "/total"),
        },
        Create {
            op: "create_coupon",
            path: "coupons".into(),
            auth: partner.clone(),
            body: Body::Json(json!({"code": "WELCOME", "percent_off": 10, "duration": "once"})),
            count: ("coupons".into(), "/total"),
        },
        Create {
            op: "subscribe",
            path: format!("{apps}/subscription"),
            auth: customer.clone(),
            body: Body::Json(json!({"plan_id": plan_id})),
            count: ("subscriptions".into(), "/total"),
        },
        Create {
            op: "pay",
            path: format!("subscriptions/{sub_id}/pay"),
            auth: customer.clone(),
            body: Body::Json(json!({"payment_method": "pm_card_visa"})),
            count: (format!("subscriptions/{sub_id}/payments"), "/total"),
        },
        Create {
            op: "create_mobile_user",
            path: format!("{apps}/mobile-users"),
            auth: customer.clone(),
            body: Body::Json(
                json!({"email": "ann@mail.example", "first_name": "Ann", "last_name": "Lee"}),
            ),
            count: (format!("{apps}/mobile-users"), "/total"),
        },
        Create {
            op: "upload_asset",
            path: format!("{apps}/assets"),
            auth: customer.clone(),
            body: Body::Png(
                &[("kind", "icon"), ("file_name", "icon.png")],
                png(512, 512),
            ),
            count: (format!("{apps}/assets"), ""),
        },
        Create {
            op: "create_request",
            path: format!("{apps}/publish-requests"),
            auth: customer.clone(),
            body: Body::Json(
                json!({"store": "google_play", "version_name": "1.0", "build_number": 1,
                "release_notes": [{"locale": "en-US", "text": "First."}], "listing": {}}),
            ),
            count: (format!("{apps}/publish-requests"), "/total"),
        },
        Create {
            op: "respond_to_quote",
            path: format!("{apps}/quote-requests/{quote_id}/responses"),
            auth: customer.clone(),
            body: Body::Json(json!({"currency": "EUR", "total": 50000,
                "valid_until": (api::clock::now().and_utc() + chrono::Duration::days(7)).to_rfc3339()})),
            count: (format!("{apps}/quote-requests/{quote_id}"), "/responses"),
        },
        Create {
            op: "create_push_message",
            path: format!("{apps}/push-messages"),
            auth: customer.clone(),
            body: Body::Json(json!({"title": "Sale", "body": "Today only."})),
            count: (format!("{apps}/push-messages"), "/total"),
        },
        Create {
            op: "create_push_messages",
            path: "push-messages".into(),
            auth: customer.clone(),
            body: Body::Json(
                json!({"app_ids": [app_id.clone()], "message": {"title": "Sale", "body": "All apps."}}),
            ),
            count: (format!("{apps}/push-messages"), "/total"),
        },
        Create {
            op: "create_endpoint",
            path: "webhook-endpoints".into(),
            auth: customer.clone(),
            body: Body::Json(json!({"url": "http://127.0.0.1:9/hooks"})),
            count: ("webhook-endpoints".into(), "/total"),
        },
        Create {
            op: "register_device",
            path: "sdk/devices".into(),
            auth: sdk.clone(),
            body: Body::Json(
                json!({"installation_id": "install-1", "platform": "android", "model": "Pixel 8",
                "os_version": "14", "app_version": "1.0.0", "push_enabled": false}),
            ),
            count: (format!("{apps}/devices"), "/total"),
        },
        Create {
            op: "register_mobile_user",
            path: "sdk/mobile-users".into(),
            auth: sdk.clone(),
            body: Body::Json(
                json!({"email": "bo@mail.example", "first_name": "Bo", "last_name": "Berg"}),
            ),
            count: (format!("{apps}/mobile-users"), "/total"),
        },
        Create {
            op: "report_order",
            path: "sdk/orders".into(),
            auth: sdk.clone(),
            body: Body::Json(order("100001")),
            count: (format!("{apps}/orders"), "/total"),
        },
        Create {
            op: "send_quote_request",
            path: "sdk/quote-requests".into(),
            auth: sdk,
            body: Body::Json(
                json!({"lines": [{"sku": "BED", "name": "Bed", "quantity": 1}],
                "contact_name": "Rae", "contact_email": "rae@mail.example"}),
            ),
            count: (format!("{apps}/quote-requests"), "/total"),
        },
    ]
}
