//! One tenant of the matrix: a partner, its customer, and one of everything the customer's Standard app holds.

use super::*;

/// One tenant: a partner, its customer, and one of everything the customer's Standard app holds.
pub(super) struct Tenant {
    pub(super) partner_token: String,
    pub(super) customer_token: String,
    pub(super) app_key: String,
    /// Path parameter → the id of this tenant's object (`{id}` by the path's first segment).
    pub(super) ids: BTreeMap<&'static str, String>,
}

pub(super) fn id_of(reply: &Reply, pointer: &str) -> String {
    reply.assert_success();
    reply
        .body
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{pointer} in {}", reply.text))
        .to_owned()
}

pub(super) async fn tenant(app: &TestApp, name: &str, plan_id: &str) -> Tenant {
    let (partner_id, partner) = app.partner(&format!("agency-{name}@example.com")).await;
    let (customer_id, customer) = app
        .customer(&format!("shop-{name}@example.com"), Some(partner_id))
        .await;
    let shop = app
        .create_app(
            &customer,
            json!({"name": format!("Shop {name}"), "edition": "standard"}),
        )
        .await;
    let app_id = shop["id"].as_str().expect("id").to_owned();
    let key = shop["app_key"].as_str().expect("key").to_owned();
    let apps = format!("apps/{app_id}");

    let user = app.post(&format!("{apps}/mobile-users"), Some(&customer),
        json!({"email": format!("user-{name}@mail.example"), "first_name": "Uma", "last_name": "User"})).await;
    let order = app.sdk("orders", &key, order(&format!("{name}-1"))).await;
    let quote = app.sdk("quote-requests", &key, quote_request()).await;
    let asset = app
        .client
        .post(app.url(&format!("{apps}/assets")))
        .query(&[("kind", "icon"), ("file_name", "icon.png")])
        .bearer_auth(&customer)
        .header("Content-Type", "image/png")
        .body(png(512, 512))
        .send()
        .await
        .expect("sent");
    let asset = Reply::from(asset).await;
    let request = app
        .post(
            &format!("{apps}/publish-requests"),
            Some(&customer),
            json!({"store": "google_play", "version_name": "1.0", "build_number": 1,
            "release_notes": [{"locale": "en-US", "text": "First."}], "listing": {}}),
        )
        .await;
    // A second app pays a subscription: the subscription and its payment.
    let paid = app
        .create_app(&customer, json!({"name": format!("Paid {name}")}))
        .await;
    let sub = app
        .post(
            &format!("apps/{}/subscription", paid["id"].as_str().expect("id")),
            Some(&customer),
            json!({"plan_id": plan_id}),
        )
        .await;
    let sub_id = id_of(&sub, "/id");
    let payment = app
        .post(
            &format!("subscriptions/{sub_id}/pay"),
            Some(&customer),
            json!({"payment_method": "pm_card_visa"}),
        )
        .await;
    let coupon = app
        .post(
            "coupons",
            Some(&partner),
            json!({"code": format!("WELCOME-{name}"),
        "percent_off": 10, "duration": "once"}),
        )
        .await;
    let endpoint = app
        .post(
            "webhook-endpoints",
            Some(&customer),
            json!({"url": "http://127.0.0.1:9/hooks"}),
        )
        .await;
    let endpoint_id = id_of(&endpoint, "/id");
    app.post(
        &format!("webhook-endpoints/{endpoint_id}/test"),
        Some(&customer),
        json!({}),
    )
    .await
    .assert_success();
    let deliveries = app
        .get(
            &format!("webhook-endpoints/{endpoint_id}/deliveries"),
            &customer,
        )
        .await;
    let push = app
        .post(
            &format!("{apps}/push-messages"),
            Some(&customer),
            json!({"title": "Sale", "body": "Today only."}),
        )
        .await;
    let token = app
        .post(
            "me/tokens",
            Some(&customer),
            json!({"name": "sync", "scope": "write"}),
        )
        .await;
    let sessions = app.get("me/sessions", &customer).await;

    let ids = BTreeMap::from([
        ("apps", app_id),
        ("customers", customer_id.to_string()),
        ("partners", partner_id.to_string()),
        ("coupons", id_of(&coupon, "/id")),
        ("payments", id_of(&payment, "/payment/id")),
        ("subscriptions", sub_id),
        ("webhook-endpoints", endpoint_id),
        ("sdk", id_of(&quote, "/id")),
        ("publish-requests", id_of(&request, "/id")),
        ("user_id", id_of(&user, "/id")),
        ("order_id", id_of(&order, "/id")),
        ("quote_id", id_of(&quote, "/id")),
        ("req_id", id_of(&request, "/id")),
        ("asset_id", id_of(&asset, "/id")),
        ("delivery_id", id_of(&deliveries, "/items/0/id")),
        ("token_id", id_of(&token, "/token/id")),
        ("session_id", id_of(&sessions, "/items/0/id")),
        ("msg_id", id_of(&push, "/id")),
        // Plans are no tenant's: PATCH and DELETE are the administrators' (GET is in `SKIPPED`).
        ("plans", plan_id.to_owned()),
    ]);
    Tenant {
        partner_token: partner,
        customer_token: customer,
        app_key: key,
        ids,
    }
}
