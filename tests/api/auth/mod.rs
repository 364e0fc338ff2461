use reqwest::StatusCode;
use serde_json::json;
use types::accounts::{AccountStatus, Role};

use crate::both_backends;
use crate::helpers::{TestApp, PASSWORD};

fn registration(email: &str) -> serde_json::Value {
    json!({"email": email, "first_name": "Jane", "last_name": "Doe", "company": "Doe Apps"})
}

both_backends! {
    async fn registration_creates_a_pending_account_whose_emailed_link_chooses_the_password(app) {
        let admin = app.admin().await;
        let reply = app.post("auth/register", None, registration("Jane@Example.com")).await;
        reply.assert_status(StatusCode::ACCEPTED);
        assert_eq!(reply.body["email"], "jane@example.com");
        // No password was taken: nobody signs in before the link is used.
        app.login("jane@example.com", PASSWORD).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");

        let token = app.link_token_sent_to(&admin, "jane@example.com").await;
        let missing = app.post("auth/activate", None, json!({"token": token})).await;
        missing.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        let activated = app.post("auth/activate", None, json!({"token": token, "password": "janes own pass 1"})).await;
        activated.assert_status(StatusCode::OK);
        assert_eq!(activated.body["status"], "activated");
        assert_eq!(activated.body["role"], "customer");
        app.login("jane@example.com", "janes own pass 1").await.assert_status(StatusCode::OK);

        // A link works once.
        app.post("auth/activate", None, json!({"token": token, "password": "another pass 12"})).await.assert_problem(StatusCode::NOT_FOUND, "invalid_link");
    }

    async fn a_sign_up_cannot_make_a_partner(app) {
        let mut body = registration("agency@example.com");
        body["role"] = json!("partner");
        let reply = app.post("auth/register", None, body).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.error_fields(), ["role"]);
    }

    async fn a_sign_up_for_a_used_email_answers_the_same_and_tells_its_holder(app) {
        let admin = app.admin().await;
        app.create_account(Role::Customer, AccountStatus::Activated, "taken@example.com", None).await;
        let new = app.post("auth/register", None, registration("fresh@example.com")).await;
        let used = app.post("auth/register", None, registration("TAKEN@example.com")).await;
        new.assert_status(StatusCode::ACCEPTED);
        used.assert_status(StatusCode::ACCEPTED);
        assert_eq!(new.body["detail"], used.body["detail"]);
        let mail = app.get("outbox?to=taken@example.com", &admin).await;
        assert_eq!(mail.body["items"][0]["subject"], "Someone tried to sign up with your email");
        // Its password is what it was.
        app.login("taken@example.com", PASSWORD).await.assert_status(StatusCode::OK);
    }

    async fn registration_with_bad_fields_lists_each_field(app) {
        let reply = app
            .post("auth/register", None, json!({"email": "not-an-email", "first_name": " ", "last_name": "Doe"}))
            .await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.error_fields(), ["email", "first_name"]);
    }

    async fn a_password_longer_than_128_characters_is_refused(app) {
        let reply = app.post("auth/activate", None, json!({"token": "whatever", "password": "x".repeat(129)})).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.error_fields(), ["password"]);
    }

    async fn a_wrong_password_and_an_unknown_email_get_the_same_401(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "known@example.com", None).await;
        let wrong = app.login("known@example.com", "wrong password 1").await;
        wrong.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
        let unknown = app.login("nobody@example.com", PASSWORD).await;
        unknown.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
        assert_eq!(wrong.body["detail"], unknown.body["detail"]);
    }

    async fn a_pending_account_cannot_log_in(app) {
        app.create_account(Role::Customer, AccountStatus::PendingActivation, "pending@example.com", None).await;
        app.login("pending@example.com", PASSWORD).await.assert_problem(StatusCode::FORBIDDEN, "account_not_activated");
    }

    async fn a_locked_account_cannot_log_in(app) {
        app.create_account(Role::Customer, AccountStatus::Locked, "locked@example.com", None).await;
        app.login("locked@example.com", PASSWORD).await.assert_problem(StatusCode::FORBIDDEN, "account_locked");
    }

    async fn a_locked_account_does_not_reveal_its_state_to_a_wrong_password(app) {
        app.create_account(Role::Customer, AccountStatus::Locked, "locked2@example.com", None).await;
        app.login("locked2@example.com", "wrong password 1").await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
    }

    async fn login_returns_a_bearer_pair_that_opens_me(app) {
        app.create_account(Role::Partner, AccountStatus::Activated, "me@example.com", None).await;
        let reply = app.login("ME@example.com", PASSWORD).await;
        reply.assert_status(StatusCode::OK);
        assert_eq!(reply.body["token_type"], "Bearer");
        assert_eq!(reply.body["expires_in"], 900);
        let me = app.get("me", reply.body["access_token"].as_str().unwrap_or_default()).await;
        me.assert_status(StatusCode::OK);
        assert_eq!(me.body["email"], "me@example.com");
        assert_eq!(me.body["role"], "partner");
        assert!(me.body.get("impersonated_by").is_none());
    }

    async fn a_refresh_token_works_once_and_rotates(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "r@example.com", None).await;
        let first = app.login("r@example.com", PASSWORD).await;
        let refresh = first.body["refresh_token"].as_str().unwrap_or_default().to_owned();
        let second = app.post("auth/refresh", None, json!({"refresh_token": refresh})).await;
        second.assert_status(StatusCode::OK);
        assert_ne!(second.body["refresh_token"], first.body["refresh_token"]);
        app.get("me", second.body["access_token"].as_str().unwrap_or_default()).await.assert_status(StatusCode::OK);
    }

    async fn reusing_a_spent_refresh_token_revokes_its_whole_family(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "thief@example.com", None).await;
        let login = app.login("thief@example.com", PASSWORD).await;
        let stolen = login.body["refresh_token"].as_str().unwrap_or_default().to_owned();
        let legit = app.post("auth/refresh", None, json!({"refresh_token": stolen})).await;
        let legit_next = legit.body["refresh_token"].as_str().unwrap_or_default().to_owned();

        app.post("auth/refresh", None, json!({"refresh_token": stolen})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "refresh_token_reused");
        // The newer token of the same family is dead too.
        app.post("auth/refresh", None, json!({"refresh_token": legit_next})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    }

    async fn an_unknown_refresh_token_is_a_401(app) {
        app.post("auth/refresh", None, json!({"refresh_token": "made-up"})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    }

    async fn logout_revokes_the_refresh_token(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "out@example.com", None).await;
        let login = app.login("out@example.com", PASSWORD).await;
        let refresh = login.body["refresh_token"].as_str().unwrap_or_default().to_owned();
        app.post("auth/logout", None, json!({"refresh_token": refresh})).await.assert_status(StatusCode::NO_CONTENT);
        app.post("auth/refresh", None, json!({"refresh_token": refresh})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
        // Signing out again is harmless.
        app.post("auth/logout", None, json!({"refresh_token": refresh})).await.assert_status(StatusCode::NO_CONTENT);
    }

    async fn a_browser_session_keeps_its_refresh_token_in_an_http_only_cookie(app) {
        app.create_account(Role::Customer, AccountStatus::Activated, "web@example.com", None).await;
        let login = app.post("auth/login", None, json!({"email": "web@example.com", "password": PASSWORD, "use_cookie": true})).await;
        login.assert_status(StatusCode::OK);
        assert!(login.body.get("refresh_token").is_none(), "scripts never see it");
        let cookie = login.header("set-cookie").unwrap_or_default().to_owned();
        for attribute in ["bo_refresh=", "HttpOnly", "SameSite=Strict", "Path=/api/v1/auth"] {
            assert!(cookie.contains(attribute), "{attribute} missing from {cookie}");
        }
        let first = cookie.split(';').next().unwrap_or_default().to_owned();
        // Beside it, a hint the SPA may read (so that a visitor without a session is not made to
        // refresh one): it holds nothing secret.
        let set_cookies = |headers: &reqwest::header::HeaderMap| -> Vec<String> {
            headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect()
        };
        let hint = set_cookies(&login.headers).into_iter().find(|c| c.starts_with("bo_session=")).unwrap_or_default();
        for attribute in ["bo_session=1", "Path=/", "SameSite=Strict", "Max-Age="] {
            assert!(hint.contains(attribute), "{attribute} missing from {hint}");
        }
        assert!(!hint.contains("HttpOnly"), "{hint}");

        let refresh = |c: String| {
            let req = app.client.post(app.url("auth/refresh")).header("cookie", c).json(&json!({}));
            async move { crate::helpers::Reply::from(req.send().await.expect("sent")).await }
        };
        let refreshed = refresh(first.clone()).await;
        refreshed.assert_status(StatusCode::OK);
        assert!(refreshed.body.get("refresh_token").is_none());
        let second = refreshed.header("set-cookie").unwrap_or_default().split(';').next().unwrap_or_default().to_owned();
        assert_ne!(first, second, "the cookie rotates");
        refresh(first).await.assert_problem(StatusCode::UNAUTHORIZED, "refresh_token_reused");

        let login = app.post("auth/login", None, json!({"email": "web@example.com", "password": PASSWORD, "use_cookie": true})).await;
        let third = login.header("set-cookie").unwrap_or_default().split(';').next().unwrap_or_default().to_owned();
        let out = app.client.post(app.url("auth/logout")).header("cookie", third.clone()).json(&json!({})).send().await.expect("sent");
        assert_eq!(out.status(), StatusCode::NO_CONTENT);
        let cleared = set_cookies(out.headers());
        for name in ["bo_refresh=;", "bo_session=;"] {
            assert!(cleared.iter().any(|c| c.contains(name) && c.contains("Max-Age=0")), "{name} in {cleared:?}");
        }
        // A refused cookie refresh removes both cookies: the hint never outlives the session.
        let refused = refresh(third).await;
        refused.assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
        assert!(set_cookies(&refused.headers).iter().any(|c| c.starts_with("bo_session=;") && c.contains("Max-Age=0")));
        let none = app.post("auth/refresh", None, json!({})).await;
        none.assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
        // A body's token (a "log in as" tab) never touches the browser's cookies.
        let by_body = app.post("auth/refresh", None, json!({"refresh_token": "nope"})).await;
        by_body.assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
        assert!(by_body.header("set-cookie").is_none());
    }

    async fn a_set_password_link_needs_a_password(app) {
        let admin = app.admin().await;
        app.post("partners", Some(&admin), json!({
            "email": "nopass@example.com", "first_name": "No", "last_name": "Pass", "company": "NP"
        })).await.assert_status(StatusCode::CREATED);
        let token = app.link_token_sent_to(&admin, "nopass@example.com").await;
        let reply = app.post("auth/activate", None, json!({"token": token, "password": "short"})).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.error_fields(), ["password"]);
        // The refused attempt did not spend the link.
        app.post("auth/activate", None, json!({"token": token, "password": "brand new pass 9"})).await.assert_status(StatusCode::OK);
        app.login("nopass@example.com", "brand new pass 9").await.assert_status(StatusCode::OK);
    }
}

mod rate_limit;
mod sessions;
mod two_factor;
