//! Health, metrics, request ids, and the API docs.

use reqwest::StatusCode;

use crate::both_backends;

both_backends! {
    async fn liveness_and_readiness_answer_ok(app) {
        let live = app.call(reqwest::Method::GET, "/health/live", None, None).await;
        live.assert_status(StatusCode::OK);
        let ready = app.call(reqwest::Method::GET, "/health/ready", None, None).await;
        ready.assert_status(StatusCode::OK);
        assert_eq!(ready.body["status"], "ok");
    }

    async fn metrics_count_requests_by_route_and_status(app) {
        app.call(reqwest::Method::GET, "partners/12", None, None).await.assert_status(StatusCode::UNAUTHORIZED);
        let metrics = app.call(reqwest::Method::GET, "/metrics", None, None).await;
        metrics.assert_status(StatusCode::OK);
        assert!(metrics.text.contains(r#"http_requests_total{method="GET",route="/api/v1/partners/{id}",status="401"} 1"#), "{}", metrics.text);
        assert!(metrics.text.contains("http_request_duration_seconds_bucket"));
        assert!(metrics.text.contains(r#"db_pool_connections{state="idle"}"#));
    }

    async fn a_request_id_is_generated_or_echoed(app) {
        let generated = app.call(reqwest::Method::GET, "/health/live", None, None).await;
        assert!(generated.header("x-request-id").is_some_and(|id| id.len() >= 8));
        let echoed = app.client.get(app.url("/health/live")).header("x-request-id", "trace-123").send().await.expect("sent");
        assert_eq!(echoed.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("trace-123"));
        let unsafe_id = app.client.get(app.url("/health/live")).header("x-request-id", "bad id\twith spaces").send().await.expect("sent");
        assert_ne!(unsafe_id.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("bad id\twith spaces"));
    }

    async fn swagger_ui_is_served_from_local_files(app) {
        let docs = app.call(reqwest::Method::GET, "/docs/", None, None).await;
        docs.assert_status(StatusCode::OK);
        assert!(docs.text.contains("swagger"), "{}", docs.text);
        assert!(!docs.text.contains("cdn"), "no CDN");
        let redirect = app.client.get(app.url("/docs")).send().await.expect("sent");
        assert!(redirect.status().is_redirection());
    }
}
