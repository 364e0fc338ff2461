//! "Log in as" with the customer's consent: the customer may switch it off, which refuses its
//! partner (403 `log_in_as_disabled`) and ends the sessions running; its partner's list shows
//! it; the customer's activity shows every time it was used.

use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::customers::impersonation;

both_backends! {
    async fn a_customer_decides_whether_its_partner_may_log_in_as_it(app) {
        let (_, partner, customer_id, session) = impersonation(&app, false).await;
        session.assert_status(StatusCode::OK);
        let as_customer = session.body["access_token"].as_str().unwrap_or_default().to_owned();
        let refresh = session.body["refresh_token"].as_str().unwrap_or_default().to_owned();
        let customer = app.token_for("shop@example.com").await;
        let listed = app.get(&format!("customers/{customer_id}"), &partner).await;
        assert_eq!(listed.body["allow_log_in_as"], true, "allowed until the customer says otherwise");

        // Only the customer itself decides: not its partner during "log in as", nor a partner
        // for its own account.
        app.patch("account", &as_customer, json!({"allow_log_in_as": true})).await
            .assert_problem(StatusCode::FORBIDDEN, "not_while_impersonating");
        let own = app.patch("account", &partner, json!({"allow_log_in_as": false})).await;
        own.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(own.error_fields(), ["allow_log_in_as"]);

        let refused = app.patch("account", &customer, json!({"allow_log_in_as": false})).await;
        refused.assert_status(StatusCode::OK);
        assert_eq!(refused.body["allow_log_in_as"], false);
        assert_eq!(app.get("account", &customer).await.body["allow_log_in_as"], false);
        // The session running now ends at once.
        app.get("me", &as_customer).await.assert_status(StatusCode::UNAUTHORIZED);
        app.post("auth/refresh", None, json!({"refresh_token": refresh})).await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
        // No new one, and the partner's list says why.
        app.post(&format!("customers/{customer_id}/impersonate"), Some(&partner), json!({})).await
            .assert_problem(StatusCode::FORBIDDEN, "log_in_as_disabled");
        let list = app.get("customers", &partner).await;
        let row = list.body["items"].as_array().into_iter().flatten()
            .find(|c| c["id"] == customer_id.as_str()).cloned().unwrap_or_default();
        assert_eq!(row["allow_log_in_as"], false);
        // An administrator is refused too.
        let admin = app.admin().await;
        app.post(&format!("customers/{customer_id}/impersonate"), Some(&admin), json!({})).await
            .assert_problem(StatusCode::FORBIDDEN, "log_in_as_disabled");

        // Switched back on, it works again; the customer's activity shows each use and each choice.
        app.patch("account", &customer, json!({"allow_log_in_as": true})).await.assert_status(StatusCode::OK);
        app.post(&format!("customers/{customer_id}/impersonate"), Some(&partner), json!({})).await
            .assert_status(StatusCode::CREATED);
        let events = app.get("audit-events?per_page=100", &customer).await;
        let actions: Vec<&str> = events.body["items"].as_array().into_iter().flatten().filter_map(|e| e["action"].as_str()).collect();
        for expected in ["session.impersonate", "account.refuse_log_in_as", "account.allow_log_in_as"] {
            assert!(actions.contains(&expected), "{expected} in {actions:?}");
        }
    }

    async fn a_code_made_before_the_customer_said_no_no_longer_opens_a_session(app) {
        let (partner_id, partner) = app.partner("agency@example.com").await;
        let (customer_id, customer) = app.customer("shop@example.com", Some(partner_id)).await;
        let code = app.post(&format!("customers/{customer_id}/impersonate"), Some(&partner), json!({})).await;
        code.assert_status(StatusCode::CREATED);
        app.patch("account", &customer, json!({"allow_log_in_as": false})).await.assert_status(StatusCode::OK);
        app.post("auth/impersonation/exchange", None, json!({"code": code.body["code"]})).await
            .assert_problem(StatusCode::FORBIDDEN, "log_in_as_disabled");
    }
}
