//! No error leaves as anything but problem+json, including actix's own.

use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;

both_backends! {
    async fn a_malformed_json_body_is_a_400(app) {
        let reply = app.client.post(app.url("auth/login")).header("content-type", "application/json")
            .body("{\"email\": ").send().await.expect("sent");
        let reply = crate::helpers::Reply::from(reply).await;
        reply.assert_problem(StatusCode::BAD_REQUEST, "malformed_body");
    }

    async fn a_body_of_the_wrong_content_type_is_a_415(app) {
        let reply = app.client.post(app.url("auth/login")).header("content-type", "text/plain")
            .body("email=a").send().await.expect("sent");
        crate::helpers::Reply::from(reply).await.assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    }

    async fn a_body_over_the_limit_is_a_413(app) {
        let big = "x".repeat(300 * 1024);
        let reply = app.post("auth/login", None, json!({"email": big, "password": "p"})).await;
        reply.assert_problem(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    }

    async fn a_missing_or_mistyped_field_is_a_422_naming_it(app) {
        let missing = app.post("auth/login", None, json!({"email": "a@example.com"})).await;
        missing.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(missing.error_fields(), ["password"]);
        let typed = app.post("auth/login", None, json!({"email": 42, "password": "x"})).await;
        typed.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(typed.error_fields(), ["email"]);
        // An unknown enum value, and a field deep in a list, are named by their path.
        let (_, token) = app.customer("shop@example.com", None).await;
        let created = app.create_app(&token, json!({})).await;
        let key = created["app_key"].as_str().unwrap_or_default();
        let at = api::clock::now().and_utc().to_rfc3339();
        let batch = json!({"events": [
            {"type": "session_start", "installation_id": "i-1", "at": at},
            {"type": "session_stop", "installation_id": "i-1", "at": at}]});
        let reply = app.sdk("events", key, batch).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.error_fields(), ["events[1].type"]);
        let nested = app.sdk("events", key, json!({"events": [{"type": "session_start", "at": at}]})).await;
        assert_eq!(nested.error_fields(), ["events[0].installation_id"]);
        let scope = app.post("me/tokens", Some(&token), json!({"name": "x", "scope": "admin"})).await;
        assert_eq!(scope.error_fields(), ["scope"]);
    }

    async fn an_unknown_route_is_a_404(app) {
        let reply = app.call(reqwest::Method::GET, "no-such-thing", None, None).await;
        reply.assert_problem(StatusCode::NOT_FOUND, "not_found");
        let outside = app.call(reqwest::Method::GET, "/nothing/here", None, None).await;
        outside.assert_problem(StatusCode::NOT_FOUND, "not_found");
    }

    async fn a_wrong_method_is_a_405_that_names_the_allowed_ones(app) {
        let reply = app.call(reqwest::Method::PUT, "partners/1", None, Some(json!({}))).await;
        reply.assert_problem(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert_eq!(reply.header("allow"), Some("GET, PATCH, DELETE, HEAD"));
        let login = app.call(reqwest::Method::GET, "auth/login", None, None).await;
        login.assert_problem(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert_eq!(login.header("allow"), Some("POST"));
        // A literal segment names its own path, not the `{user_id}` template beside it.
        let export = app.call(reqwest::Method::PUT, "apps/1/mobile-users/export", None, None).await;
        export.assert_problem(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
        assert_eq!(export.header("allow"), Some("GET, HEAD"));
    }

    async fn nul_characters_are_refused_in_queries_and_bodies(app) {
        let admin = app.admin().await;
        app.get("partners?q=a%00b", &admin).await.assert_problem(StatusCode::BAD_REQUEST, "invalid_query");
        let reply = app.patch("me", &admin, json!({"first_name": "a\u{0}b"})).await;
        reply.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(reply.error_fields(), ["first_name"]);
        assert_ne!(app.get("me", &admin).await.body["first_name"], "a\u{0}b");
    }

    async fn an_unknown_query_parameter_is_a_400_not_an_unfiltered_list(app) {
        let admin = app.admin().await;
        let reply = app.get("partners?stauts=locked", &admin).await;
        reply.assert_problem(StatusCode::BAD_REQUEST, "invalid_query");
        assert!(reply.body["detail"].as_str().unwrap_or_default().contains("stauts"));
        app.get("partners?status=locked&page=1", &admin).await.assert_status(StatusCode::OK);
    }

    async fn every_problem_carries_the_request_id(app) {
        let reply = app.call(reqwest::Method::GET, "me", None, None).await;
        let id = reply.header("x-request-id").expect("request id header").to_owned();
        assert_eq!(reply.body["request_id"], id.as_str());
        assert!(reply.body["type"].as_str().unwrap_or_default().ends_with("/missing_token"));
        assert_eq!(reply.body["title"], "Unauthorized");
    }
}
