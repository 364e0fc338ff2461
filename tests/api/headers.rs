//! What every answer tells the browser about itself (`../shared/DESIGN.md` §6, browser
//! security), and HEAD wherever GET answers.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{Backend, TestApp, PASSWORD};

/// The directives DESIGN.md §6 fixes (the policy may add others).
const REQUIRED_DIRECTIVES: [&str; 5] = [
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval'",
    "frame-ancestors 'none'",
    "object-src 'none'",
    "base-uri 'none'",
];

async fn send(app: &TestApp, method: Method, path: &str, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("sent")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn html_pages_carry_a_strict_policy_and_every_answer_the_common_headers() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    // The API explorer is HTML served by the api itself (the SPA's page is in spa.rs).
    let docs = send(&app, Method::GET, "/docs/", None).await;
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(header(&docs, "content-type").is_some_and(|t| t.starts_with("text/html")));
    let policy = header(&docs, "content-security-policy").unwrap_or_default();
    for directive in REQUIRED_DIRECTIVES {
        assert!(
            policy.split(';').any(|d| d.trim() == directive),
            "{directive} in {policy}"
        );
    }
    assert_eq!(header(&docs, "x-frame-options"), Some("DENY"));
    assert!(header(&docs, "permissions-policy").is_some_and(|p| p.contains("camera=()")));

    // JSON, a problem, a health check: no page policy, but never sniffed, never a full referrer.
    for path in ["openapi.json", "no-such-thing", "/health/live"] {
        let answer = send(&app, Method::GET, path, None).await;
        assert_eq!(
            header(&answer, "x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            header(&answer, "referrer-policy"),
            Some("strict-origin-when-cross-origin"),
            "{path}"
        );
        assert_eq!(header(&answer, "content-security-policy"), None, "{path}");
        assert_eq!(
            header(&answer, "strict-transport-security"),
            None,
            "{path}: served over http"
        );
    }
}

#[tokio::test]
async fn an_https_installation_asks_for_https_only_and_secure_cookies() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        s.public_url = Some("https://backoffice.example".into());
    })
    .await
    .expect("sqlite");
    let answer = send(&app, Method::GET, "/health/live", None).await;
    assert_eq!(
        header(&answer, "strict-transport-security"),
        Some("max-age=31536000; includeSubDomains")
    );
    app.create_account(
        types::accounts::Role::Customer,
        types::accounts::AccountStatus::Activated,
        "secure@example.com",
        None,
    )
    .await;
    let login = app
        .post(
            "auth/login",
            None,
            json!({"email": "secure@example.com", "password": PASSWORD, "use_cookie": true}),
        )
        .await;
    let cookies: Vec<&str> = login
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    // The refresh token, its hint and the known-device cookie.
    assert_eq!(cookies.len(), 3, "{cookies:?}");
    assert!(
        cookies.iter().all(|c| c.contains("; Secure")),
        "{cookies:?}"
    );
}

#[tokio::test]
async fn head_answers_wherever_get_does_with_the_headers_only() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let admin = app.admin().await;
    for (path, token) in [
        ("me", Some(admin.as_str())),
        ("partners?status=active", Some(admin.as_str())),
        ("openapi.json", None),
        ("/health/live", None),
        ("/health/ready", None),
        ("/docs/", None),
        ("me", None),
        ("partners/999999", Some(admin.as_str())),
    ] {
        let get = send(&app, Method::GET, path, token).await;
        let head = send(&app, Method::HEAD, path, token).await;
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_eq!(
            header(&head, "content-type"),
            header(&get, "content-type"),
            "HEAD {path}"
        );
        assert_eq!(header(&head, "etag"), header(&get, "etag"), "HEAD {path}");
        assert!(
            head.bytes().await.expect("body").is_empty(),
            "HEAD {path} has no body"
        );
    }
    // Where GET does not answer, neither does HEAD: an unknown path, a path that only takes POST.
    let unknown = send(&app, Method::HEAD, "no-such-thing", None).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let login = send(&app, Method::HEAD, "auth/login", None).await;
    assert_eq!(login.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(header(&login, "allow"), Some("POST"));
}
