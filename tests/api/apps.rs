//! Apps: who owns them, who may reach them, and their public key.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::both_backends;

fn id(value: &Value) -> String {
    value["id"].as_str().expect("an id").to_owned()
}

both_backends! {
    async fn customer_creates_edits_and_deletes_its_app(app) {
        let (customer_id, token) = app.customer("shop@example.com", None).await;
        let created = app
            .post("apps", Some(&token), json!({"name": "Tulip", "kind": "magento", "edition": "basic",
                "store_url": "https://shop.example", "ios_bundle_id": "com.tulip.app"}))
            .await;
        created.assert_status(StatusCode::CREATED);
        assert_eq!(created.body["owner_id"], customer_id.to_string());
        assert!(created.body["app_key"].as_str().is_some_and(|k| k.starts_with("ak_")));
        let app_id = id(&created.body);
        let etag = created.header("etag").expect("etag").to_owned();

        let listed = app.get("apps?kind=magento&q=tul", &token).await;
        assert_eq!(listed.body["total"], 1);
        assert_eq!(app.get("apps?edition=standard", &token).await.body["total"], 0);

        let edited = app
            .patch(&format!("apps/{app_id}"), &token, json!({"name": "Tulip Fashion", "kind": "standalone", "edition": "basic"}))
            .await;
        edited.assert_status(StatusCode::OK);
        assert_eq!(edited.body["name"], "Tulip Fashion");
        assert_eq!(edited.body["kind"], "magento", "the kind cannot change");
        assert_eq!(edited.body["edition"], "basic");

        let stale = app
            .client
            .delete(app.url(&format!("apps/{app_id}")))
            .bearer_auth(&token)
            .header("If-Match", etag)
            .send()
            .await
            .expect("sent");
        assert_eq!(stale.status(), StatusCode::PRECONDITION_FAILED);
        app.delete(&format!("apps/{app_id}"), &token).await.assert_status(StatusCode::NO_CONTENT);
        app.get(&format!("apps/{app_id}"), &token).await.assert_problem(StatusCode::NOT_FOUND, "not_found");

        let audit = app.get("audit-events?subject_type=app", &token).await;
        let actions: Vec<&str> = audit.body["items"].as_array().into_iter().flatten()
            .filter_map(|e| e["action"].as_str()).collect();
        assert_eq!(actions, ["app.delete", "app.update", "app.create"]);
    }

    async fn magento_apps_need_their_store_url(app) {
        let (_, token) = app.customer("shop@example.com", None).await;
        let missing = app.post("apps", Some(&token), json!({"name": "M", "kind": "magento", "edition": "basic"})).await;
        assert_eq!(missing.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").error_fields(), ["store_url"]);
        let bad = app.post("apps", Some(&token), json!({"name": "M", "kind": "magento", "edition": "basic", "store_url": "ftp://x"})).await;
        assert_eq!(bad.error_fields(), ["store_url"]);
        let magento = app.create_app(&token, json!({"kind": "magento", "store_url": "https://shop.example"})).await;
        let cleared = app.patch(&format!("apps/{}", id(&magento)), &token, json!({"store_url": null})).await;
        assert_eq!(cleared.error_fields(), ["store_url"]);
    }

    async fn partner_manages_its_own_and_its_customers_apps(app) {
        let (partner_id, partner) = app.partner("agency@example.com").await;
        let (customer_id, customer) = app.customer("shop@example.com", Some(partner_id)).await;
        let own = app.create_app(&partner, json!({"name": "Agency Showcase"})).await;
        assert_eq!(own["owner_id"], partner_id.to_string());
        let for_customer = app.create_app(&partner, json!({"name": "Shop", "owner_id": customer_id.to_string()})).await;
        assert_eq!(for_customer["owner_id"], customer_id.to_string());
        assert_eq!(for_customer["owner_email"], "shop@example.com");

        assert_eq!(app.get("apps", &partner).await.body["total"], 2);
        assert_eq!(app.get(&format!("apps?owner_id={customer_id}"), &partner).await.body["total"], 1);
        let seen_by_customer = app.get("apps", &customer).await;
        assert_eq!(seen_by_customer.body["total"], 1);
        assert_eq!(seen_by_customer.body["items"][0]["name"], "Shop");

        app.delete(&format!("customers/{customer_id}"), &partner).await
            .assert_problem(StatusCode::CONFLICT, "customer_has_apps");
    }

    async fn apps_are_created_only_for_owners_within_reach(app) {
        let admin = app.admin().await;
        let (other_partner, _) = app.partner("other@example.com").await;
        let (_, partner) = app.partner("agency@example.com").await;
        let (stranger, _) = app.customer("stranger@example.com", Some(other_partner)).await;
        let form = |owner: i64| json!({"name": "X", "kind": "standalone", "edition": "basic", "owner_id": owner.to_string()});
        app.post("apps", Some(&partner), form(stranger)).await
            .assert_problem(StatusCode::NOT_FOUND, "owner_not_found");
        app.post("apps", Some(&partner), form(other_partner)).await
            .assert_problem(StatusCode::NOT_FOUND, "owner_not_found");
        let unnamed = app.post("apps", Some(&admin), json!({"name": "X", "kind": "standalone", "edition": "basic"})).await;
        assert_eq!(unnamed.error_fields(), ["owner_id"]);
        app.post("apps", Some(&admin), form(stranger)).await.assert_status(StatusCode::CREATED);
        assert_eq!(app.get("apps", &admin).await.body["total"], 1);
    }

    async fn another_tenants_app_is_not_found_on_every_route(app) {
        let (partner_a, _) = app.partner("a@example.com").await;
        let (_, owner) = app.customer("owner@example.com", Some(partner_a)).await;
        let (partner_b_id, partner_b) = app.partner("b@example.com").await;
        let (_, other_customer) = app.customer("other@example.com", Some(partner_b_id)).await;
        let target = app.create_app(&owner, json!({"name": "Private"})).await;
        let app_id = id(&target);
        let user = app
            .post(&format!("apps/{app_id}/mobile-users"), Some(&owner),
                json!({"email": "sam@mail.example", "first_name": "Sam", "last_name": "B"}))
            .await;
        let user_id = id(&user.body);

        let routes = [
            (Method::GET, format!("apps/{app_id}"), None),
            (Method::PATCH, format!("apps/{app_id}"), Some(json!({"name": "Mine"}))),
            (Method::DELETE, format!("apps/{app_id}"), None),
            (Method::POST, format!("apps/{app_id}/rotate-key"), None),
            (Method::GET, format!("apps/{app_id}/devices"), None),
            (Method::GET, format!("apps/{app_id}/devices/summary"), None),
            (Method::GET, format!("apps/{app_id}/analytics"), None),
            (Method::GET, format!("apps/{app_id}/mobile-users"), None),
            (Method::POST, format!("apps/{app_id}/mobile-users"),
                Some(json!({"email": "eve@mail.example", "first_name": "Eve", "last_name": "X"}))),
            (Method::GET, format!("apps/{app_id}/mobile-users/export"), None),
            (Method::GET, format!("apps/{app_id}/mobile-users/{user_id}"), None),
            (Method::PATCH, format!("apps/{app_id}/mobile-users/{user_id}"), Some(json!({"status": "blocked"}))),
            (Method::DELETE, format!("apps/{app_id}/mobile-users/{user_id}"), None),
        ];
        for token in [&other_customer, &partner_b] {
            assert_eq!(app.get("apps", token).await.body["total"], 0);
            for (method, path, body) in &routes {
                app.call(method.clone(), path, Some(token), body.clone()).await
                    .assert_problem(StatusCode::NOT_FOUND, "not_found");
            }
        }
        // Nothing was changed by those attempts.
        let after = app.get(&format!("apps/{app_id}"), &owner).await;
        assert_eq!(after.body["name"], "Private");
        assert_eq!(after.body["app_key"], target["app_key"]);
        let user = app.get(&format!("apps/{app_id}/mobile-users/{user_id}"), &owner).await;
        assert_eq!(user.body["status"], "active");
    }

    async fn a_rotated_key_stops_working_at_once(app) {
        let (_, token) = app.customer("shop@example.com", None).await;
        let created = app.create_app(&token, json!({})).await;
        let old_key = created["app_key"].as_str().expect("key").to_owned();
        app.register_device(&old_key, "install-0001", json!({})).await.assert_status(StatusCode::CREATED);

        let rotated = app.post(&format!("apps/{}/rotate-key", id(&created)), Some(&token), json!({})).await;
        rotated.assert_status(StatusCode::OK);
        let new_key = rotated.body["app_key"].as_str().expect("key").to_owned();
        assert_ne!(new_key, old_key);
        app.register_device(&old_key, "install-0001", json!({})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_app_key");
        app.register_device(&new_key, "install-0001", json!({})).await.assert_status(StatusCode::OK);
    }
}
