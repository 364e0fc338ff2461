//! "Forgot password?": a one-time link by email, which never tells whether the email exists; and a
//! partner sending a pending customer's activation email again.

use reqwest::StatusCode;
use serde_json::json;
use types::accounts::{AccountStatus, Role};

use crate::both_backends;
use crate::helpers::{TestApp, PASSWORD};

const NEW_PASSWORD: &str = "a brand new pass 7";

/// How many emails the outbox holds for `to`.
async fn emails_to(app: &TestApp, admin: &str, to: &str) -> u64 {
    app.get(&format!("outbox?to={to}"), admin).await.body["total"]
        .as_u64()
        .unwrap_or_default()
}

/// Runs one SQL statement on the test database (to age a link).
async fn sql(app: &TestApp, statement: &'static str) {
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || {
        use diesel::RunQueryDsl;
        let mut conn = db.get().expect("connection");
        diesel::sql_query(statement)
            .execute(&mut *conn)
            .expect("sql");
    })
    .await
    .expect("blocking");
}

both_backends! {
    async fn a_forgotten_password_is_reset_by_its_link_and_other_sessions_end(app) {
        let admin = app.admin().await;
        app.create_account(Role::Customer, AccountStatus::Activated, "forgot@example.com", None).await;
        let session = app.login("forgot@example.com", PASSWORD).await;
        let refresh = session.body["refresh_token"].clone();

        app.post("auth/password-reset", None, json!({"email": "Forgot@Example.com"})).await.assert_status(StatusCode::ACCEPTED);
        let token = app.link_token_sent_to(&admin, "forgot@example.com").await;
        app.post("auth/password-reset/confirm", None, json!({"token": token, "new_password": NEW_PASSWORD})).await
            .assert_status(StatusCode::NO_CONTENT);

        app.login("forgot@example.com", PASSWORD).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
        app.login("forgot@example.com", NEW_PASSWORD).await.assert_status(StatusCode::OK);
        app.post("auth/refresh", None, json!({"refresh_token": refresh})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
        // The link works once.
        app.post("auth/password-reset/confirm", None, json!({"token": token, "new_password": "yet another 12"})).await
            .assert_problem(StatusCode::NOT_FOUND, "invalid_link");
        let events = app.get("audit-events?action=account.password_reset", &admin).await;
        assert_eq!(events.body["total"], 1);
    }

    async fn the_answer_never_reveals_whether_an_account_uses_the_email(app) {
        let admin = app.admin().await;
        app.create_account(Role::Customer, AccountStatus::Locked, "locked@example.com", None).await;
        app.create_account(Role::Customer, AccountStatus::PendingActivation, "pending@example.com", None).await;
        for email in ["nobody@example.com", "locked@example.com", "pending@example.com"] {
            let before = emails_to(&app, &admin, email).await;
            let reply = app.post("auth/password-reset", None, json!({"email": email})).await;
            reply.assert_status(StatusCode::ACCEPTED);
            assert_eq!(reply.body, serde_json::Value::Null, "no body to tell them apart");
            assert_eq!(emails_to(&app, &admin, email).await, before, "{email} gets no reset link");
        }
        app.post("auth/password-reset", None, json!({"email": "not an email"})).await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    }

    async fn a_newer_password_makes_older_links_and_expired_links_worthless(app) {
        let admin = app.admin().await;
        app.create_account(Role::Partner, AccountStatus::Activated, "twice@example.com", None).await;
        app.post("auth/password-reset", None, json!({"email": "twice@example.com"})).await.assert_status(StatusCode::ACCEPTED);
        let first = app.link_token_sent_to(&admin, "twice@example.com").await;
        app.post("auth/password-reset", None, json!({"email": "twice@example.com"})).await.assert_status(StatusCode::ACCEPTED);
        let second = app.link_token_sent_to(&admin, "twice@example.com").await;
        assert_ne!(first, second);
        app.post("auth/password-reset/confirm", None, json!({"token": second, "new_password": NEW_PASSWORD})).await
            .assert_status(StatusCode::NO_CONTENT);
        app.post("auth/password-reset/confirm", None, json!({"token": first, "new_password": "yet another 12"})).await
            .assert_problem(StatusCode::NOT_FOUND, "invalid_link");

        app.post("auth/password-reset", None, json!({"email": "twice@example.com"})).await.assert_status(StatusCode::ACCEPTED);
        let third = app.link_token_sent_to(&admin, "twice@example.com").await;
        sql(&app, "UPDATE one_time_tokens SET expires_at = created_at WHERE purpose = 'password_reset'").await;
        app.post("auth/password-reset/confirm", None, json!({"token": third, "new_password": "yet another 12"})).await
            .assert_problem(StatusCode::NOT_FOUND, "invalid_link");
        // Nor is a reset link an activation link.
        app.post("auth/activate", None, json!({"token": third, "password": "yet another 12"})).await.assert_problem(StatusCode::NOT_FOUND, "invalid_link");
    }

    async fn a_short_new_password_is_refused_without_spending_the_link(app) {
        let admin = app.admin().await;
        app.create_account(Role::Customer, AccountStatus::Activated, "short@example.com", None).await;
        app.post("auth/password-reset", None, json!({"email": "short@example.com"})).await;
        let token = app.link_token_sent_to(&admin, "short@example.com").await;
        let refused = app.post("auth/password-reset/confirm", None, json!({"token": token, "new_password": "short"})).await;
        refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(refused.error_fields(), ["new_password"]);
        app.post("auth/password-reset/confirm", None, json!({"token": token, "new_password": NEW_PASSWORD})).await
            .assert_status(StatusCode::NO_CONTENT);
    }

    async fn a_partner_sends_a_pending_customers_activation_email_again(app) {
        let admin = app.admin().await;
        let (_, partner) = app.partner("agency@example.com").await;
        let (_, other) = app.partner("other@example.com").await;
        let made = app.post("customers", Some(&partner), json!({"email": "late@shop.example", "first_name": "Late",
            "last_name": "Comer", "status": "pending_activation"})).await;
        let id = made.body["id"].as_str().unwrap_or_default().to_owned();
        assert_eq!(emails_to(&app, &admin, "late@shop.example").await, 1);

        app.post(&format!("customers/{id}/resend-activation"), Some(&partner), json!({})).await.assert_status(StatusCode::ACCEPTED);
        assert_eq!(emails_to(&app, &admin, "late@shop.example").await, 2);
        let token = app.link_token_sent_to(&admin, "late@shop.example").await;
        app.post(&format!("customers/{id}/resend-activation"), Some(&other), json!({})).await
            .assert_problem(StatusCode::NOT_FOUND, "not_found");

        app.post("auth/activate", None, json!({"token": token, "password": PASSWORD})).await.assert_status(StatusCode::OK);
        app.post(&format!("customers/{id}/resend-activation"), Some(&partner), json!({})).await
            .assert_problem(StatusCode::CONFLICT, "customer_not_pending");
        let events = app.get(&format!("audit-events?action=customer.resend_activation&subject_id={id}"), &partner).await;
        assert_eq!(events.body["total"], 1);
    }
}

mod rate_limit {
    use super::*;

    async fn reset_requests_are_rate_limited_per_email(app: TestApp) {
        for _ in 0..3 {
            app.post(
                "auth/password-reset",
                None,
                json!({"email": "busy@example.com"}),
            )
            .await
            .assert_status(StatusCode::ACCEPTED);
        }
        let limited = app
            .post(
                "auth/password-reset",
                None,
                json!({"email": "busy@example.com"}),
            )
            .await;
        limited.assert_problem(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        assert!(limited.header("retry-after").is_some());
    }

    #[tokio::test]
    async fn sqlite() {
        let app =
            TestApp::spawn_with(crate::helpers::Backend::Sqlite, |s| s.login_rate_limit = 3).await;
        reset_requests_are_rate_limited_per_email(app.expect("sqlite")).await;
    }

    #[tokio::test]
    async fn postgres() {
        if let Some(app) = TestApp::spawn_with(crate::helpers::Backend::Postgres, |s| {
            s.login_rate_limit = 3
        })
        .await
        {
            reset_requests_are_rate_limited_per_email(app).await;
        }
    }
}
