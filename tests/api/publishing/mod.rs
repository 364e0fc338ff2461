//! Publishing: publish requests from draft to published (and back from rejected), the rules on
//! listings, versions, subscriptions and transitions, withdraw and replace, the review queue and
//! its alerts, uploads checked from their bytes, and tenancy on every route.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::billing::{customer_app, id, pay, plan, subscribe};
use crate::both_backends;
use crate::helpers::png::png;
use crate::helpers::{Reply, TestApp};

mod uploads;

/// A customer's app with a paid subscription: (admin, partner, customer, app id).
pub(super) async fn paid_app(app: &TestApp, n: u32) -> (String, String, String, String) {
    let admin = app.admin().await;
    let plan_id = plan(app, &admin, json!({})).await;
    let (partner, customer, app_id) = customer_app(app, n).await;
    let sub = subscribe(app, &customer, &app_id, json!({"plan_id": plan_id})).await;
    pay(app, &customer, &id(&sub), "pm_card_visa")
        .await
        .assert_status(StatusCode::OK);
    (admin, partner, customer, app_id)
}

pub(super) async fn upload(
    app: &TestApp,
    token: &str,
    app_id: &str,
    (kind, file_name): (&str, &str),
    bytes: Vec<u8>,
    content_type: &str,
) -> Reply {
    let res = app
        .client
        .post(app.url(&format!("apps/{app_id}/assets")))
        .query(&[("kind", kind), ("file_name", file_name)])
        .bearer_auth(token)
        .header("Content-Type", content_type)
        .body(bytes)
        .send()
        .await
        .expect("sent");
    Reply::from(res).await
}

/// An icon and two screenshots of the app, and a complete listing naming them.
pub(super) async fn complete_listing(app: &TestApp, token: &str, app_id: &str) -> Value {
    let icon = upload(
        app,
        token,
        app_id,
        ("icon", "icon.png"),
        png(512, 512),
        "image/png",
    )
    .await;
    icon.assert_status(StatusCode::CREATED);
    let mut shots = Vec::new();
    for n in 0..2 {
        let shot = upload(
            app,
            token,
            app_id,
            ("screenshot", "shot.png"),
            png(320, 568 + n),
            "image/png",
        )
        .await;
        shot.assert_status(StatusCode::CREATED);
        shots.push(shot.body["id"].clone());
    }
    json!({"app_name": "Shop One", "short_description": "Furniture in your pocket",
        "full_description": "Browse, order and track furniture.", "keywords": "shop,furniture",
        "support_url": "https://shop.example/help", "privacy_policy_url": "https://shop.example/privacy",
        "icon_asset_id": icon.body["id"], "screenshot_asset_ids": shots})
}

pub(super) fn request_body(store: &str, version: &str, build: i64, listing: Value) -> Value {
    json!({"store": store, "version_name": version, "build_number": build,
        "release_notes": [{"locale": "en-US", "text": "Faster checkout."}], "listing": listing})
}

pub(super) async fn create(app: &TestApp, token: &str, app_id: &str, body: Value) -> Reply {
    app.post(
        &format!("apps/{app_id}/publish-requests"),
        Some(token),
        body,
    )
    .await
}

pub(super) async fn submit(
    app: &TestApp,
    token: &str,
    app_id: &str,
    req: &str,
    body: Value,
) -> Reply {
    app.post(
        &format!("apps/{app_id}/publish-requests/{req}/submit"),
        Some(token),
        body,
    )
    .await
}

pub(super) async fn review(
    app: &TestApp,
    admin: &str,
    req: &str,
    status: &str,
    note: Option<&str>,
) -> Reply {
    let mut body = json!({"status": status});
    if let Some(note) = note {
        body["note"] = json!(note);
    }
    app.patch(&format!("publish-requests/{req}"), admin, body)
        .await
}

pub(super) fn statuses(reply: &Reply) -> Vec<String> {
    reply.body["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| e["status"].as_str().expect("status").to_owned())
        .collect()
}

/// A submitted request for `store`: its id.
pub(super) async fn submitted(
    app: &TestApp,
    token: &str,
    app_id: &str,
    store: &str,
    build: i64,
) -> String {
    let listing = complete_listing(app, token, app_id).await;
    let made = create(
        app,
        token,
        app_id,
        request_body(store, &format!("1.{build}"), build, listing),
    )
    .await;
    made.assert_status(StatusCode::CREATED);
    let req = id(&made);
    submit(app, token, app_id, &req, json!({"accept_terms": true}))
        .await
        .assert_status(StatusCode::OK);
    req
}

both_backends! {
    async fn an_owner_takes_a_version_from_draft_to_published(app) {
        let (admin, partner, customer, app_id) = paid_app(&app, 1).await;
        // A draft may be incomplete; submitting it says what is missing.
        let draft = create(&app, &customer, &app_id,
            json!({"store": "google_play", "version_name": "1.4.0", "build_number": 42})).await;
        draft.assert_status(StatusCode::CREATED);
        assert_eq!(draft.body["status"], "draft");
        assert!(draft.body["checklist"].as_array().expect("checklist").iter().all(|i| i["done"] == false));
        let req = id(&draft);
        let incomplete = submit(&app, &customer, &app_id, &req, json!({"accept_terms": true})).await;
        incomplete.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "listing_incomplete");
        assert!(incomplete.error_fields().contains(&"listing.icon_asset_id".to_owned()));
        assert!(incomplete.error_fields().contains(&"release_notes".to_owned()));

        let listing = complete_listing(&app, &customer, &app_id).await;
        let etag = draft.headers["etag"].to_str().expect("etag").to_owned();
        let patched = app.client.patch(app.url(&format!("apps/{app_id}/publish-requests/{req}")))
            .bearer_auth(&customer).header("If-Match", &etag)
            .json(&json!({"listing": listing, "release_notes": [{"locale": "en-US", "text": "Faster checkout."}]}))
            .send().await.expect("sent");
        let patched = Reply::from(patched).await;
        patched.assert_status(StatusCode::OK);
        assert!(patched.body["checklist"].as_array().expect("checklist").iter().all(|i| i["done"] == true));
        submit(&app, &customer, &app_id, &req, json!({"accept_terms": false})).await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        let sent = submit(&app, &customer, &app_id, &req, json!({"accept_terms": true})).await;
        sent.assert_status(StatusCode::OK);
        assert_eq!(sent.body["status"], "submitted");
        assert_eq!(sent.body["revision"], 1);

        // The partner sees it waiting; the administrator works the queue.
        let status = app.get(&format!("apps/{app_id}/publishing"), &partner).await;
        status.assert_status(StatusCode::OK);
        assert_eq!(status.body["can_submit"], true);
        let play = &status.body["stores"][1];
        assert_eq!(play["store"], "google_play");
        assert_eq!(play["in_flight"]["id"], req.as_str());
        let queue = app.get("publish-requests?status=submitted", &admin).await;
        assert_eq!(queue.body["total"], 1);
        review(&app, &admin, &req, "in_review", None).await.assert_status(StatusCode::OK);
        let published = review(&app, &admin, &req, "published", Some("Live on Google Play")).await;
        published.assert_status(StatusCode::OK);
        assert_eq!(published.body["status"], "published");
        assert_eq!(statuses(&published), ["draft", "submitted", "in_review", "published"]);

        let owner_view = app.get(&format!("apps/{app_id}/publish-requests/{req}"), &customer).await;
        assert_eq!(owner_view.body["status"], "published");
        let status = app.get(&format!("apps/{app_id}/publishing"), &customer).await;
        assert_eq!(status.body["stores"][1]["live"]["version_name"], "1.4.0");
        assert!(status.body["stores"][1].get("in_flight").is_none());
        let mail = app.get("outbox?to=shop1@example.com", &admin).await;
        let subjects: Vec<&str> = mail.body["items"].as_array().expect("items").iter()
            .filter_map(|e| e["subject"].as_str()).collect();
        assert!(subjects.contains(&"Shop 1 1.4.0 is published on Google Play"), "{subjects:?}");
        assert!(subjects.contains(&"Shop 1 1.4.0 is in review on Google Play"), "{subjects:?}");

        // The next version must be newer, in name and build, than the one live on that store;
        // the other store has nothing live yet.
        let older = create(&app, &customer, &app_id, request_body("google_play", "1.4.0", 42, json!({}))).await;
        older.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(older.error_fields(), ["version_name", "build_number"]);
        create(&app, &customer, &app_id, request_body("google_play", "1.10", 43, json!({}))).await
            .assert_status(StatusCode::CREATED);
        create(&app, &customer, &app_id, request_body("app_store", "1.0", 1, json!({}))).await
            .assert_status(StatusCode::CREATED);
        let audit = app.get("audit-events?subject_type=publish_request", &admin).await;
        assert!(audit.body["total"].as_i64().expect("total") >= 4);
    }

    async fn submitting_needs_an_active_subscription(app) {
        let admin = app.admin().await;
        let (_, customer, app_id) = customer_app(&app, 1).await;
        let listing = complete_listing(&app, &customer, &app_id).await;
        let req = id(&create(&app, &customer, &app_id, request_body("app_store", "1.0", 1, listing)).await);
        let refused = submit(&app, &customer, &app_id, &req, json!({"accept_terms": true})).await;
        refused.assert_problem(StatusCode::CONFLICT, "subscription_required");
        assert!(refused.body["detail"].as_str().expect("detail").contains(&format!("/apps/{app_id}/billing")));
        // A trial is not enough; neither is a subscription waiting for its first payment.
        let trial = plan(&app, &admin, json!({"trial_days": 14})).await;
        subscribe(&app, &customer, &app_id, json!({"plan_id": trial})).await
            .assert_status(StatusCode::CREATED);
        submit(&app, &customer, &app_id, &req, json!({"accept_terms": true})).await
            .assert_problem(StatusCode::CONFLICT, "subscription_required");
        let status = app.get(&format!("apps/{app_id}/publishing"), &customer).await;
        assert_eq!(status.body["can_submit"], false);
        // A plan may allow publishing during its trial.
        let plan = app.patch(&format!("plans/{trial}"), &admin, json!({"publish_in_trial": true})).await;
        plan.assert_status(StatusCode::OK);
        assert_eq!(plan.body["publish_in_trial"], true);
        let status = app.get(&format!("apps/{app_id}/publishing"), &customer).await;
        assert_eq!(status.body["can_submit"], true);
        submit(&app, &customer, &app_id, &req, json!({"accept_terms": true})).await
            .assert_status(StatusCode::OK);
    }

    async fn only_the_allowed_transitions_happen(app) {
        let (admin, partner, customer, app_id) = paid_app(&app, 1).await;
        let req = submitted(&app, &customer, &app_id, "app_store", 1).await;
        review(&app, &admin, &req, "published", None).await
            .assert_problem(StatusCode::CONFLICT, "illegal_transition");
        review(&app, &admin, &req, "draft", None).await
            .assert_problem(StatusCode::CONFLICT, "illegal_transition");
        review(&app, &admin, &req, "rejected", None).await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        review(&app, &partner, &req, "in_review", None).await
            .assert_problem(StatusCode::FORBIDDEN, "admin_only");
        review(&app, &customer, &req, "in_review", None).await
            .assert_problem(StatusCode::FORBIDDEN, "admin_only");
        app.patch(&format!("apps/{app_id}/publish-requests/{req}"), &customer, json!({"build_number": 9})).await
            .assert_problem(StatusCode::CONFLICT, "illegal_transition");
        submit(&app, &customer, &app_id, &req, json!({"accept_terms": true})).await
            .assert_problem(StatusCode::CONFLICT, "illegal_transition");
        review(&app, &admin, &req, "in_review", None).await.assert_status(StatusCode::OK);
        review(&app, &admin, &req, "published", None).await.assert_status(StatusCode::OK);
        app.post(&format!("apps/{app_id}/publish-requests/{req}/cancel"), Some(&customer), json!({})).await
            .assert_problem(StatusCode::CONFLICT, "illegal_transition");
        review(&app, &admin, &req, "rejected", Some("too late")).await
            .assert_problem(StatusCode::CONFLICT, "illegal_transition");
    }

    async fn a_rejected_request_is_fixed_and_resubmitted_as_its_next_revision(app) {
        let (admin, _, customer, app_id) = paid_app(&app, 1).await;
        let req = submitted(&app, &customer, &app_id, "app_store", 7).await;
        review(&app, &admin, &req, "in_review", None).await.assert_status(StatusCode::OK);
        let rejected = review(&app, &admin, &req, "rejected",
            Some("Guideline 2.1: the app crashed on launch.")).await;
        rejected.assert_status(StatusCode::OK);
        assert_eq!(rejected.body["review_note"], "Guideline 2.1: the app crashed on launch.");
        let mail = app.get("outbox?to=shop1@example.com", &admin).await;
        assert!(mail.body["items"].as_array().expect("items").iter().any(|e|
            e["subject"] == "Shop 1 1.7 was rejected on App Store"));

        app.patch(&format!("apps/{app_id}/publish-requests/{req}"), &customer,
            json!({"build_number": 8})).await.assert_status(StatusCode::OK);
        let again = submit(&app, &customer, &app_id, &req, json!({"accept_terms": true})).await;
        again.assert_status(StatusCode::OK);
        assert_eq!(again.body["revision"], 2);
        assert_eq!(again.body["build_number"], 8);
        assert!(again.body.get("review_note").is_none(), "the answer was about revision 1");
        assert_eq!(statuses(&again), ["draft", "submitted", "in_review", "rejected", "submitted"]);
        let rejection = &again.body["timeline"][3];
        assert_eq!(rejection["revision"], 1);
        assert_eq!(rejection["note"], "Guideline 2.1: the app crashed on launch.");
    }

    async fn a_newer_request_withdraws_and_replaces_the_waiting_one_in_one_step(app) {
        let (_, _, customer, app_id) = paid_app(&app, 1).await;
        let first = submitted(&app, &customer, &app_id, "google_play", 1).await;
        let listing = complete_listing(&app, &customer, &app_id).await;
        let second = id(&create(&app, &customer, &app_id, request_body("google_play", "1.2", 2, listing)).await);
        submit(&app, &customer, &app_id, &second, json!({"accept_terms": true})).await
            .assert_problem(StatusCode::CONFLICT, "request_in_flight");
        let replaced = submit(&app, &customer, &app_id, &second,
            json!({"accept_terms": true, "replace": true})).await;
        replaced.assert_status(StatusCode::OK);
        assert_eq!(replaced.body["status"], "submitted");
        let old = app.get(&format!("apps/{app_id}/publish-requests/{first}"), &customer).await;
        assert_eq!(old.body["status"], "canceled");
        assert_eq!(old.body["review_note"], format!("Replaced by request {second}."));
        // Withdrawing the waiting one.
        let withdrawn = app.post(&format!("apps/{app_id}/publish-requests/{second}/cancel"),
            Some(&customer), json!({"reason": "Found a bug"})).await;
        withdrawn.assert_status(StatusCode::OK);
        assert_eq!(withdrawn.body["status"], "canceled");
        let list = app.get(&format!("apps/{app_id}/publish-requests?status=canceled"), &customer).await;
        assert_eq!(list.body["total"], 2);
    }

    async fn two_requests_submitted_at_once_for_one_store_leave_one_waiting(app) {
        let (_, _, customer, app_id) = paid_app(&app, 1).await;
        let listing = complete_listing(&app, &customer, &app_id).await;
        let mut drafts = Vec::new();
        for build in [1, 2] {
            let made = create(&app, &customer, &app_id,
                request_body("app_store", &format!("1.{build}"), build, listing.clone())).await;
            drafts.push(id(&made));
        }
        let body = json!({"accept_terms": true});
        let (a, b) = tokio::join!(
            submit(&app, &customer, &app_id, &drafts[0], body.clone()),
            submit(&app, &customer, &app_id, &drafts[1], body.clone()),
        );
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{} / {}", a.text, b.text);
        let refused = if a.status == StatusCode::CONFLICT { &a } else { &b };
        refused.assert_problem(StatusCode::CONFLICT, "request_in_flight");
        let waiting = app.get(&format!("apps/{app_id}/publish-requests?status=submitted"), &customer).await;
        assert_eq!(waiting.body["total"], 1);
    }

    async fn a_request_waiting_too_long_raises_an_alert(app) {
        let (admin, _, customer, app_id) = paid_app(&app, 1).await;
        let req = submitted(&app, &customer, &app_id, "app_store", 1).await;
        assert_eq!(app.get("publish-requests?overdue=true", &admin).await.body["total"], 0);
        app.clock.advance(chrono::Duration::hours(73));
        let overdue = app.get("publish-requests?overdue=true", &admin).await;
        assert_eq!(overdue.body["total"], 1);
        assert_eq!(overdue.body["items"][0]["overdue"], true);
        assert_eq!(app.get("publish-requests?overdue=true", &customer).await.body["total"], 1);
        assert_eq!(app.get("publish-requests?waiting_hours=100", &admin).await.body["total"], 0);
        let status = app.get(&format!("apps/{app_id}/publishing"), &customer).await;
        assert_eq!(status.body["stores"][0]["waiting_hours"], 73);
        assert_eq!(status.body["stores"][0]["in_flight"]["id"], req.as_str());
    }

    async fn another_tenants_requests_and_assets_are_not_found(app) {
        let (admin, _, customer, app_id) = paid_app(&app, 1).await;
        let req = submitted(&app, &customer, &app_id, "app_store", 1).await;
        let asset = id(&upload(&app, &customer, &app_id, ("screenshot", "a.png"), png(320, 640), "image/png").await);
        let (other_partner, other_customer, other_app) = customer_app(&app, 2).await;
        let outsiders = [other_partner.as_str(), other_customer.as_str()];
        let base = format!("apps/{app_id}/publish-requests");
        for token in outsiders {
            for (method, path, body) in [
                (Method::GET, base.clone(), None),
                (Method::POST, base.clone(), Some(request_body("app_store", "2.0", 2, json!({})))),
                (Method::GET, format!("{base}/{req}"), None),
                (Method::PATCH, format!("{base}/{req}"), Some(json!({"build_number": 5}))),
                (Method::POST, format!("{base}/{req}/submit"), Some(json!({"accept_terms": true}))),
                (Method::POST, format!("{base}/{req}/cancel"), Some(json!({}))),
                (Method::GET, format!("apps/{app_id}/publishing"), None),
                (Method::GET, format!("apps/{app_id}/assets"), None),
                (Method::GET, format!("apps/{app_id}/assets/{asset}/content"), None),
                (Method::GET, format!("publish-requests/{req}"), None),
                // Their own app's path does not reach another app's request or asset.
                (Method::GET, format!("apps/{other_app}/publish-requests/{req}"), None),
                (Method::GET, format!("apps/{other_app}/assets/{asset}/content"), None),
            ] {
                let reply = app.call(method.clone(), &path, Some(token), body).await;
                assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}: {}", reply.text);
            }
            upload(&app, token, &app_id, ("screenshot", "a.png"), png(320, 640), "image/png").await
                .assert_status(StatusCode::NOT_FOUND);
            assert_eq!(app.get("publish-requests", token).await.body["total"], 0);
        }
        assert_eq!(app.get("publish-requests", &admin).await.body["total"], 1);
        assert_eq!(app.get("publish-requests", &customer).await.body["total"], 1);
    }
}
