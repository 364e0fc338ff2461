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

mod creates;
use creates::*;

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
