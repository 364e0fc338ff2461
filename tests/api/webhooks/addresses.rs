//! What an endpoint's URL may be: a public web address, IPv4 or IPv6, never one inside the
//! server's own network (SSRF), and a limited number of endpoints per account.

use reqwest::StatusCode;
use serde_json::json;

use super::{id, subscribe};
use crate::both_backends;
use crate::helpers::{Backend, TestApp};

both_backends! {
    async fn bad_endpoints_are_refused_by_field(app) {
        let (_, customer) = app.customer("bad@example.com", None).await;
        let cases = [
            (json!({"url": "ftp://example.com/x"}), "url"),
            (json!({"url": "http://10.0.0.7/hooks"}), "url"),
            (json!({"url": "http://169.254.169.254/latest/meta-data"}), "url"),
            (json!({"url": "http://0.0.0.0:8080/"}), "url"),
            (json!({"url": "http://192.168.1.20/"}), "url"),
            (json!({"url": "http://[fe80::1]/h"}), "url"),
            (json!({"url": "http://[fc00::1]/h"}), "url"),
            (json!({"url": "http://[::]/h"}), "url"),
            (json!({"url": "http://[::ffff:10.0.0.1]/h"}), "url"),
            (json!({"url": "http://127.0.0.1/", "event_types": ["order.shipped"]}), "event_types[0]"),
            (json!({"url": "http://127.0.0.1/", "event_types": []}), "event_types"),
            (json!({"url": "http://127.0.0.1/", "description": "x".repeat(201)}), "description"),
            (json!({"event_types": ["app.created"]}), "url"),
        ];
        for (body, field) in cases {
            let reply = app.post("webhook-endpoints", Some(&customer), body.clone()).await;
            reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(reply.error_fields(), [field], "{body}");
        }
        // A bracketed IPv6 literal is an address like any other: a private one gets the same
        // words as a private IPv4 address, a public one is saved.
        let private = app.post("webhook-endpoints", Some(&customer), json!({"url": "http://[fd00:ec2::254]/h"})).await;
        assert_eq!(private.body["errors"][0]["message"], api::webhooks::address::REFUSED);
        let public = subscribe(&app, &customer, "http://[2606:4700::1111]/h", None).await;
        assert_eq!(public["url"], "http://[2606:4700::1111]/h");
        app.delete(&format!("webhook-endpoints/{}", id(&public)), &customer).await.assert_status(StatusCode::NO_CONTENT);
        let endpoint = subscribe(&app, &customer, "http://127.0.0.1:9/hooks", None).await;
        let reply = app
            .patch(&format!("webhook-endpoints/{}", id(&endpoint)), &customer, json!({"url": "http://10.1.1.1/"}))
            .await;
        assert_eq!(reply.error_fields(), ["url"]);
        for n in 1..api::routes::webhooks::MAX_ENDPOINTS {
            subscribe(&app, &customer, &format!("http://127.0.0.1:9/{n}"), None).await;
        }
        app.post("webhook-endpoints", Some(&customer), json!({"url": "http://127.0.0.1:9/21"}))
            .await
            .assert_problem(StatusCode::CONFLICT, "endpoint_limit_reached");

        // Loopback too, unless the installation allows it (tests, development).
        let backend = if app.settings.database_url.starts_with("postgres") { Backend::Postgres } else { Backend::Sqlite };
        let Some(strict) = TestApp::spawn_with(backend, |s| s.webhook_allow_loopback = false).await else { return };
        let (_, customer) = strict.customer("strict@example.com", None).await;
        for url in ["http://127.0.0.1:8080/", "http://localhost/hooks", "http://127.1.2.3/", "http://[::1]:8080/", "http://[::ffff:127.0.0.1]/h"] {
            let reply = strict.post("webhook-endpoints", Some(&customer), json!({"url": url})).await;
            reply.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(reply.error_fields(), ["url"], "{url}");
        }
    }
}
