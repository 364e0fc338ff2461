//! `Idempotency-Key` on every create: each operation the spec says takes the header is sent twice
//! with one key and must store once and answer the same (status, body, `ETag`, `Location`) with
//! `Idempotent-Replayed: true`; a new operation that takes a key without an entry here fails the
//! test. Then the rules shared by all: another body with the key is refused, keys belong to their
//! account (or app), a failed request keeps no key, and a key sent many times at once runs once.

use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};

use crate::billing::id;
use crate::both_backends;
use crate::helpers::png::png;
use crate::helpers::{Reply, TestApp};
use crate::orders::order;
use crate::quotes::quote_request;

/// Who sends a request: a signed-in account or an app by its key.
#[derive(Clone)]
enum Auth {
    Bearer(String),
    AppKey(String),
}

enum Body {
    Json(Value),
    /// An upload: the query's description and the bytes.
    Png(&'static [(&'static str, &'static str)], Vec<u8>),
}

/// One create: the request, and a list (`count`: path and JSON pointer) that grows by one.
struct Create {
    op: &'static str,
    path: String,
    auth: Auth,
    body: Body,
    count: (String, &'static str),
}

fn request(app: &TestApp, method: Method, path: &str, auth: &Auth) -> RequestBuilder {
    let req = app.client.request(method, app.url(path));
    match auth {
        Auth::Bearer(token) => req.bearer_auth(token),
        Auth::AppKey(key) => req.header("X-App-Key", key),
    }
}

async fn send(app: &TestApp, create: &Create, body: &Body, key: Option<&str>) -> Reply {
    let mut req = request(app, Method::POST, &create.path, &create.auth);
    req = match body {
        Body::Json(value) => req.json(value),
        Body::Png(query, bytes) => req
            .query(query)
            .header("Content-Type", "image/png")
            .body(bytes.clone()),
    };
    if let Some(key) = key {
        req = req.header("Idempotency-Key", key);
    }
    Reply::from(req.send().await.expect("sent")).await
}

/// How many things the create's list holds, read as `reader`: the number or the array's length
/// at the pointer.
async fn count(app: &TestApp, create: &Create, reader: &Auth) -> usize {
    let (path, pointer) = &create.count;
    let reply = Reply::from(
        request(app, Method::GET, path, reader)
            .send()
            .await
            .expect("sent"),
    )
    .await;
    reply.assert_status(StatusCode::OK);
    let value = reply
        .body
        .pointer(pointer)
        .unwrap_or_else(|| panic!("{path} has {pointer}"));
    value
        .as_u64()
        .and_then(|n| usize::try_from(n).ok())
        .or_else(|| value.as_array().map(Vec::len))
        .unwrap_or_else(|| panic!("{path}{pointer} is no count: {value}"))
}

/// The operations of the committed spec that take an `Idempotency-Key`.
fn keyed_operations() -> Vec<String> {
    let spec: Value = serde_json::from_str(&api::openapi::spec_json()).expect("spec");
    let mut ops = Vec::new();
    for item in spec["paths"].as_object().expect("paths").values() {
        for op in item.as_object().expect("path item").values() {
            let keyed = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "Idempotency-Key"));
            if keyed {
                ops.push(op["operationId"].as_str().expect("operationId").to_owned());
            }
        }
    }
    ops.sort();
    ops
}

/// Every keyed operation with what it needs: a partner's customer with a Standard stand-alone
/// app, a plan, a quote request of the app, a subscription of another app with an open invoice.
async fn every_create(app: &TestApp) -> Vec<Create> {
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

both_backends! {
    async fn every_create_runs_once_per_key_and_replays_its_answer(app) {
        let creates = every_create(&app).await;
        let mut covered: Vec<String> = creates.iter().map(|c| c.op.to_owned()).collect();
        covered.sort();
        assert_eq!(covered, keyed_operations(),
            "every operation that takes an Idempotency-Key has an entry here, and only those");
        // Counted with the customer's token where the list is its (the SDK's lists are the owner's).
        let owner = creates.iter().find(|c| c.op == "create_app").expect("create_app").auth.clone();
        for create in &creates {
            let reader = match create.auth { Auth::AppKey(_) => &owner, _ => &create.auth };
            let before = count(&app, create, reader).await;
            let key = format!("key-{}", create.op);
            let first = send(&app, create, &create.body, Some(&key)).await;
            assert!(first.status.is_success(), "{}: {} {}", create.op, first.status, first.text);
            assert!(first.header("idempotent-replayed").is_none(), "{}", create.op);
            let again = send(&app, create, &create.body, Some(&key)).await;
            assert_eq!(again.status, first.status, "{}: {}", create.op, again.text);
            assert_eq!(again.header("idempotent-replayed"), Some("true"), "{}", create.op);
            assert_eq!(again.body, first.body, "{}", create.op);
            for name in ["etag", "location"] {
                assert_eq!(again.header(name), first.header(name), "{}: {name}", create.op);
            }
            // A payment, a device (no URL of its own), messages to several apps (several URLs) and
            // an app's user (whose URL would tell a new shopper from a known one) have no Location.
            if !["pay", "register_device", "create_push_messages", "register_mobile_user"].contains(&create.op) {
                assert!(first.header("location").is_some(), "{}: a Location", create.op);
            }
            assert_eq!(count(&app, create, reader).await, before + 1, "{}: stored once", create.op);

            // An upload of other bytes with the key is another request: refused, nothing stored.
            if let Body::Png(query, _) = &create.body {
                let other = Body::Png(query, png(600, 600));
                send(&app, create, &other, Some(&key)).await
                    .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
            }
            assert_eq!(count(&app, create, reader).await, before + 1, "{}", create.op);
        }
    }

    async fn keys_belong_to_their_account_or_app_and_failures_keep_none(app) {
        let (_, first) = app.customer("first@example.com", None).await;
        let (_, second) = app.customer("second@example.com", None).await;
        let post = |token: &str, name: &str, key: &str| {
            let req = app.client.post(app.url("apps")).bearer_auth(token.to_owned())
                .header("Idempotency-Key", key.to_owned())
                .json(&json!({"name": name, "kind": "standalone", "edition": "basic"}));
            async move { Reply::from(req.send().await.expect("sent")).await }
        };
        let mine = post(&first, "Mine", "shared-key").await;
        mine.assert_status(StatusCode::CREATED);
        // The same key with another body is another request: refused, nothing made.
        post(&first, "Other", "shared-key").await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused");
        // Another account's key of the same name is another key.
        let theirs = post(&second, "Theirs", "shared-key").await;
        theirs.assert_status(StatusCode::CREATED);
        assert!(theirs.header("idempotent-replayed").is_none());
        assert_ne!(theirs.body["id"], mine.body["id"]);

        // Two apps' keys of one name are two keys, though one customer owns both apps.
        for shop in [&mine, &theirs] {
            let key = shop.body["app_key"].as_str().expect("key");
            let req = app.client.post(app.url("sdk/quote-requests")).header("X-App-Key", key)
                .header("Idempotency-Key", "sdk-key")
                .json(&json!({"lines": [{"sku": "A", "name": "A", "quantity": 1}],
                    "contact_name": "Ed", "contact_email": "ed@mail.example"}));
            // A Basic app takes no quote requests: the refusal keeps no key…
            Reply::from(req.send().await.expect("sent")).await
                .assert_problem(StatusCode::FORBIDDEN, "edition_required");
        }
        // …so once the app is Standard, the same key runs.
        let id = mine.body["id"].as_str().expect("id");
        app.patch(&format!("apps/{id}"), &app.admin().await, json!({"edition": "standard"})).await
            .assert_status(StatusCode::OK);
        let key = mine.body["app_key"].as_str().expect("key");
        let sent = app.client.post(app.url("sdk/quote-requests")).header("X-App-Key", key)
            .header("Idempotency-Key", "sdk-key")
            .json(&json!({"lines": [{"sku": "A", "name": "A", "quantity": 1}],
                "contact_name": "Ed", "contact_email": "ed@mail.example"}));
        let sent = Reply::from(sent.send().await.expect("sent")).await;
        sent.assert_status(StatusCode::CREATED);
        assert!(sent.header("idempotent-replayed").is_none());

        // A malformed key is refused before anything happens.
        for bad in ["", "with space", &"k".repeat(256), "tab\there"] {
            let req = app.client.post(app.url("apps")).bearer_auth(&first)
                .header("Idempotency-Key", bad)
                .json(&json!({"name": "Bad", "kind": "standalone", "edition": "basic"}));
            Reply::from(req.send().await.expect("sent")).await
                .assert_problem(StatusCode::BAD_REQUEST, "invalid_idempotency_key");
        }
        assert_eq!(app.get("apps", &first).await.body["total"], 1);
    }

    async fn a_key_sent_many_times_at_once_runs_once(app) {
        let (_, customer) = app.customer("busy@example.com", None).await;
        let attempts = (0..6).map(|_| {
            let req = app.client.post(app.url("apps")).bearer_auth(&customer)
                .header("Idempotency-Key", "at-once")
                .json(&json!({"name": "Once", "kind": "standalone", "edition": "basic"}));
            async move { Reply::from(req.send().await.expect("sent")).await }
        });
        let answers = futures_util::future::join_all(attempts).await;
        for answer in &answers {
            answer.assert_status(StatusCode::CREATED);
            assert_eq!(answer.body["id"], answers[0].body["id"]);
        }
        let fresh = answers.iter().filter(|a| a.header("idempotent-replayed").is_none()).count();
        assert_eq!(fresh, 1, "one ran, the others waited and replayed it");
        assert_eq!(app.get("apps", &customer).await.body["total"], 1);
    }
}
