//! Health, metrics, request ids, and the API docs.

use reqwest::StatusCode;
use serde_json::json;

use crate::both_backends;
use crate::helpers::TestApp;

/// The `_sum` and `_count` of `http_request_db_hops` for `method` and `route`.
async fn hops(app: &TestApp, method: &str, route: &str) -> (f64, f64) {
    let metrics = app.call(reqwest::Method::GET, "/metrics", None, None).await;
    let read = |series: &str| {
        let prefix = format!(
            r#"http_request_db_hops_{series}{{method="{method}",route="/api/v1/{route}"}} "#
        );
        metrics
            .text
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or_else(|| panic!("no {series} for {method} {route} in\n{}", metrics.text))
    };
    (read("sum"), read("count"))
}

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

    async fn a_request_makes_one_trip_to_the_database(app) {
        // Authentication (the account still active), tenancy and the rows: one hop, one check-out.
        let (partner_id, partner) = app.partner("agency@example.com").await;
        let (customer_id, customer) = app.customer("shop@example.com", Some(partner_id)).await;
        let (_, stranger) = app.partner("other@example.com").await;
        let created = app.create_app(&customer, json!({})).await;
        let (app_id, key) = (created["id"].as_str().unwrap_or_default(), created["app_key"].as_str().unwrap_or_default());
        app.register_device(key, "install-1", json!({})).await.assert_status(StatusCode::CREATED);
        let events = json!({"events": [{"type": "session_start", "installation_id": "install-1",
            "at": (api::clock::now().and_utc() - chrono::Duration::minutes(1)).to_rfc3339()}]});
        app.sdk("events", key, events).await.assert_status(StatusCode::ACCEPTED);
        for _ in 0..3 {
            app.get(&format!("customers/{customer_id}"), &partner).await.assert_status(StatusCode::OK);
        }
        app.get(&format!("customers/{customer_id}"), &stranger).await.assert_status(StatusCode::NOT_FOUND);
        app.get(&format!("apps/{app_id}/devices"), &customer).await.assert_status(StatusCode::OK);
        app.get(&format!("apps/{app_id}/devices"), &partner).await.assert_status(StatusCode::OK);
        assert_eq!(hops(&app, "GET", "customers/{id}").await, (4.0, 4.0));
        assert_eq!(hops(&app, "GET", "apps/{id}/devices").await, (2.0, 2.0));
        assert_eq!(hops(&app, "POST", "sdk/devices").await, (1.0, 1.0));
        assert_eq!(hops(&app, "POST", "sdk/events").await, (1.0, 1.0));
        // A request refused before its handler queried still has its account checked: one hop.
        app.post("me/password", Some(&customer), json!({"current_password": "", "new_password": "x"}))
            .await
            .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(hops(&app, "POST", "me/password").await, (1.0, 1.0));
    }
}
