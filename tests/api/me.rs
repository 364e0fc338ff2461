//! The signed-in account: profile, password, personal API tokens.

use reqwest::StatusCode;
use serde_json::json;
use types::accounts::{AccountStatus, Role};

use crate::both_backends;
use crate::helpers::PASSWORD;

both_backends! {
    async fn an_account_edits_its_own_profile(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "self@example.com", None).await;
        let token = app.token_for("self@example.com").await;
        let reply = app.patch("me", &token, json!({"first_name": "Sam", "phone": "+31 20 123 4567", "country": "BE", "company": null})).await;
        reply.assert_status(StatusCode::OK);
        assert_eq!(reply.body["first_name"], "Sam");
        assert_eq!(reply.body["country"], "BE");
        assert_eq!(reply.body["company"], serde_json::Value::Null);
        assert_eq!(app.get("me", &token).await.body["phone"], "+31 20 123 4567");
    }

    async fn a_profile_with_an_unknown_country_is_refused(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "self@example.com", None).await;
        let token = app.token_for("self@example.com").await;
        let reply = app.patch("me", &token, json!({"country": "XX", "last_name": ""})).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.error_fields(), ["country", "last_name", "last_name"]);
    }

    async fn changing_the_password_needs_the_current_one(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "pw@example.com", None).await;
        let token = app.token_for("pw@example.com").await;
        let reply = app.post("me/password", Some(&token), json!({"current_password": "not it at all 1", "new_password": "a new secret 77"})).await;
        reply.assert_problem(StatusCode::FORBIDDEN, "wrong_current_password");
    }

    async fn changing_the_password_signs_out_other_sessions(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "pw@example.com", None).await;
        let other = app.login("pw@example.com", PASSWORD).await;
        let token = app.token_for("pw@example.com").await;
        let reply = app.post("me/password", Some(&token), json!({"current_password": PASSWORD, "new_password": "a new secret 77"})).await;
        reply.assert_status(StatusCode::OK);
        assert!(reply.body["refresh_token"].is_string());

        app.post("auth/refresh", None, json!({"refresh_token": other.body["refresh_token"]})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
        app.post("auth/refresh", None, json!({"refresh_token": reply.body["refresh_token"]})).await.assert_status(StatusCode::OK);
        app.login("pw@example.com", PASSWORD).await.assert_status(StatusCode::UNAUTHORIZED);
        app.login("pw@example.com", "a new secret 77").await.assert_status(StatusCode::OK);
    }

    async fn an_api_token_works_as_bearer_until_revoked(app) {
        app.create_account(Role::Partner, AccountStatus::Activated, "int@example.com", None).await;
        let token = app.token_for("int@example.com").await;
        let created = app.post("me/tokens", Some(&token), json!({"name": "ERP sync", "expires_in_days": 30, "scope": "write"})).await;
        created.assert_status(StatusCode::CREATED);
        let secret = created.body["secret"].as_str().unwrap_or_default().to_owned();
        assert!(secret.starts_with("bo_pat_"));
        let id = created.body["token"]["id"].as_str().unwrap_or_default().to_owned();

        let me = app.get("me", &secret).await;
        me.assert_status(StatusCode::OK);
        assert_eq!(me.body["email"], "int@example.com");

        let list = app.get("me/tokens", &token).await;
        list.assert_status(StatusCode::OK);
        assert_eq!(list.body["items"][0]["name"], "ERP sync");
        assert!(list.body["items"][0].get("secret").is_none(), "the secret is never listed");
        assert!(!list.text.contains(&secret));

        app.delete(&format!("me/tokens/{id}"), &token).await.assert_status(StatusCode::NO_CONTENT);
        app.get("me", &secret).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_token");
        app.delete(&format!("me/tokens/{id}"), &token).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
    }

    async fn nobody_can_revoke_another_accounts_api_token(app) {
        app.create_account(Role::Partner, AccountStatus::Activated, "a@example.com", None).await;
        app.create_account(Role::Partner, AccountStatus::Activated, "b@example.com", None).await;
        let a = app.token_for("a@example.com").await;
        let b = app.token_for("b@example.com").await;
        let created = app.post("me/tokens", Some(&a), json!({"name": "mine", "scope": "write"})).await;
        let id = created.body["token"]["id"].as_str().unwrap_or_default().to_owned();
        app.delete(&format!("me/tokens/{id}"), &b).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        assert_eq!(app.get("me/tokens", &b).await.body["items"].as_array().map(Vec::len), Some(0));
        app.get("me", created.body["secret"].as_str().unwrap_or_default()).await.assert_status(StatusCode::OK);
    }

    async fn an_api_token_limited_to_some_apps_reaches_them_alone(app) {
        let (_, customer) = app.customer("limited@example.com", None).await;
        let mine = app.create_app(&customer, json!({"name": "Limited to"})).await;
        let other = app.create_app(&customer, json!({"name": "Not in the token"})).await;
        let (mine, other) = (mine["id"].as_str().expect("id"), other["id"].as_str().expect("id"));
        let created = app.post("me/tokens", Some(&customer),
            json!({"name": "one app", "scope": "write", "app_ids": [mine, mine]})).await;
        created.assert_status(StatusCode::CREATED);
        assert_eq!(created.body["token"]["app_ids"], json!([mine]));
        let token = created.body["secret"].as_str().expect("secret").to_owned();

        // Its app: read and written.
        app.get(&format!("apps/{mine}"), &token).await.assert_status(StatusCode::OK);
        app.get(&format!("apps/{mine}/devices"), &token).await.assert_status(StatusCode::OK);
        app.patch(&format!("apps/{mine}"), &token, json!({"name": "Renamed"})).await
            .assert_status(StatusCode::OK);
        // The list shows it alone; `me` answers.
        let list = app.get("apps", &token).await;
        assert_eq!(list.body["total"], 1);
        assert_eq!(list.body["items"][0]["id"], mine);
        app.get("me", &token).await.assert_status(StatusCode::OK);
        // Another app of the same account is not there.
        app.get(&format!("apps/{other}"), &token).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        app.get(&format!("apps/{other}/devices"), &token).await.assert_problem(StatusCode::NOT_FOUND, "not_found");
        // Anything that is not about its apps is refused.
        for reply in [
            app.get("subscriptions", &token).await,
            app.get("webhook-endpoints", &token).await,
            app.get("me/tokens", &token).await,
            app.post("apps", Some(&token), json!({"name": "New", "kind": "standalone", "edition": "basic"})).await,
            app.post("me/tokens", Some(&token), json!({"name": "wider", "scope": "write"})).await,
            app.patch("me", &token, json!({"first_name": "Changed"})).await,
        ] {
            reply.assert_problem(StatusCode::FORBIDDEN, "app_limited_token");
        }
        assert_eq!(app.get("me/tokens", &customer).await.body["items"][0]["app_ids"], json!([mine]));

        // Only apps of one's own, and at least one.
        let (_, stranger) = app.customer("stranger@example.com", None).await;
        for app_ids in [json!([mine]), json!(["999999"]), json!(["x"]), json!([])] {
            let refused = app.post("me/tokens", Some(&stranger),
                json!({"name": "theirs", "scope": "read", "app_ids": app_ids})).await;
            refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert_eq!(refused.error_fields(), ["app_ids"], "{app_ids}");
        }
    }

    async fn an_api_token_needs_a_name(app) {
        app.create_account(Role::Partner, AccountStatus::Activated, "int@example.com", None).await;
        let token = app.token_for("int@example.com").await;
        let reply = app.post("me/tokens", Some(&token), json!({"name": "", "expires_in_days": 0, "scope": "read"})).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.error_fields(), ["expires_in_days", "name", "name"]);
        let reply = app.post("me/tokens", Some(&token), json!({"name": "x"})).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.error_fields(), ["scope"]);
        for scope in [json!(null), json!("admin")] {
            let reply = app.post("me/tokens", Some(&token), json!({"name": "x", "scope": scope})).await;
            reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
            assert_eq!(reply.error_fields(), ["scope"]);
        }
        assert_eq!(app.get("me/tokens", &token).await.body["items"], json!([]), "nothing made");
    }

    async fn a_read_only_api_token_reads_and_is_refused_every_write(app) {
        let (partner_id, partner) = app.partner("int@example.com").await;
        let (customer_id, _) = app.customer("shop@example.com", Some(partner_id)).await;
        let created = app.post("me/tokens", Some(&partner), json!({"name": "Reporting", "scope": "read"})).await;
        created.assert_status(StatusCode::CREATED);
        assert_eq!(created.body["token"]["scope"], "read");
        let read = created.body["secret"].as_str().unwrap_or_default().to_owned();
        let write = app.post("me/tokens", Some(&partner), json!({"name": "ERP", "scope": "write"})).await.body["secret"]
            .as_str().unwrap_or_default().to_owned();

        app.get(&format!("customers/{customer_id}"), &read).await.assert_status(StatusCode::OK);
        app.get("customers", &read).await.assert_status(StatusCode::OK);
        let customer = json!({"email": "new@example.com", "first_name": "N", "last_name": "C", "status": "pending_activation"});
        app.post("customers", Some(&read), customer.clone()).await.assert_problem(StatusCode::FORBIDDEN, "insufficient_scope");
        app.patch(&format!("customers/{customer_id}"), &read, json!({"first_name": "X"})).await
            .assert_problem(StatusCode::FORBIDDEN, "insufficient_scope");
        app.delete(&format!("customers/{customer_id}"), &read).await.assert_problem(StatusCode::FORBIDDEN, "insufficient_scope");
        // Nor may it make itself a token that writes.
        app.post("me/tokens", Some(&read), json!({"name": "escalate", "scope": "write"})).await
            .assert_problem(StatusCode::FORBIDDEN, "insufficient_scope");
        assert_eq!(app.get(&format!("customers/{customer_id}"), &partner).await.body["first_name"], "Test", "unchanged");

        app.post("customers", Some(&write), customer).await.assert_status(StatusCode::CREATED);
        let list = app.get("me/tokens", &partner).await;
        let scopes: Vec<_> = list.body["items"].as_array().expect("items").iter().map(|t| t["scope"].clone()).collect();
        assert_eq!(scopes, [json!("write"), json!("read")]);
    }
}
