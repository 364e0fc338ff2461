//! How the api serves the built SPA: page addresses get `index.html`, hashed assets are sent
//! precompressed by `Accept-Encoding` and cached for a year.

use crate::helpers::{Backend, TestApp};

/// A `web/dist` with an index and one asset in its three forms (the contents tell them apart).
fn dist() -> std::path::PathBuf {
    let dir = std::env::temp_dir()
        .join("backoffice-tests")
        .join(format!("dist-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("assets")).expect("dist dir");
    std::fs::write(dir.join("index.html"), "<!doctype html><title>SPA</title>").expect("index");
    for (name, body) in [
        ("app-0123.js", "plain"),
        ("app-0123.js.gz", "gzip form"),
        ("app-0123.js.br", "brotli form"),
        ("style-0123.css", "plain css"),
        // A build's modules, which import each other by relative names, share a directory.
        ("0a1b2c/chunk_1.wasm", "plain chunk"),
        ("0a1b2c/chunk_1.wasm.br", "brotli chunk"),
        ("0a1b2c/.hidden", "hidden"),
    ] {
        let path = dir.join("assets").join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("build dir");
        std::fs::write(path, body).expect("asset");
    }
    dir
}

async fn fetch(app: &TestApp, path: &str, accept_encoding: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("accept-encoding", accept_encoding)
        .send()
        .await
        .expect("request sent")
}

#[tokio::test]
async fn assets_are_sent_in_the_smallest_encoding_the_browser_accepts() {
    let dir = dist();
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.web_dist = dir.clone())
        .await
        .expect("sqlite");
    for (accept, body, encoding) in [
        ("gzip, deflate, br, zstd", "brotli form", Some("br")),
        ("gzip", "gzip form", Some("gzip")),
        ("gzip, br;q=0", "gzip form", Some("gzip")),
        ("identity", "plain", None),
    ] {
        let response = fetch(&app, "/assets/app-0123.js", accept).await;
        assert_eq!(response.status(), 200, "{accept}");
        let headers = response.headers().clone();
        assert_eq!(
            headers
                .get("content-encoding")
                .and_then(|v| v.to_str().ok()),
            encoding,
            "{accept}"
        );
        assert!(
            headers["content-type"]
                .to_str()
                .is_ok_and(|t| t.contains("javascript")),
            "{accept}: {headers:?}"
        );
        assert_eq!(headers["vary"], "accept-encoding");
        assert_eq!(
            headers["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(response.text().await.expect("body"), body, "{accept}");
    }

    // An asset without compressed forms is sent as it is.
    let css = fetch(&app, "/assets/style-0123.css", "br").await;
    assert_eq!(css.status(), 200);
    assert!(css.headers().get("content-encoding").is_none());
    assert_eq!(css.text().await.expect("body"), "plain css");

    let chunk = fetch(&app, "/assets/0a1b2c/chunk_1.wasm", "gzip, br").await;
    assert_eq!(chunk.status(), 200);
    assert_eq!(chunk.headers()["content-type"], "application/wasm");
    assert_eq!(chunk.headers()["content-encoding"], "br");
    assert_eq!(
        chunk.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(chunk.text().await.expect("body"), "brotli chunk");

    // Unknown names and attempts to leave the folder are 404s.
    for path in [
        "/assets/app-9999.js",
        "/assets/..%2Findex.html",
        "/assets/.hidden",
        "/assets/0a1b2c/.hidden",
        "/assets/0a1b2c/..%2F..%2Findex.html",
        "/assets/0a1b2c/chunk_1.wasm/x",
        "/assets/0a1b2c//chunk_1.wasm",
        "/assets/0a1b2c",
    ] {
        assert_eq!(fetch(&app, path, "br").await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn every_client_route_is_the_page_whatever_the_client_accepts() {
    let dir = dist();
    let app = TestApp::spawn_with(Backend::Sqlite, |s| s.web_dist = dir.clone())
        .await
        .expect("sqlite");
    // curl, an uptime monitor or a load balancer's check of `/` sends no `Accept: text/html`.
    for (path, accept) in [
        ("/", None),
        ("/", Some("*/*")),
        ("/apps/12/orders", Some("application/json")),
        ("/sign-in", Some("text/html")),
        ("/apiary", None),
    ] {
        let mut request = app.client.get(app.url(path));
        if let Some(accept) = accept {
            request = request.header("accept", accept);
        }
        let response = request.send().await.expect("sent");
        assert_eq!(response.status(), 200, "{path} {accept:?}");
        assert_eq!(response.headers()["cache-control"], "no-cache", "{path}");
        assert_eq!(
            response.text().await.expect("body"),
            "<!doctype html><title>SPA</title>",
            "{path}"
        );
    }
    let head = app.client.head(app.url("/")).send().await.expect("sent");
    assert_eq!(head.status(), 200);

    // The page runs under a strict policy: its own scripts and WebAssembly only, nothing
    // inline, never in a frame.
    let page = app
        .client
        .get(app.url("/apps/12"))
        .send()
        .await
        .expect("sent");
    let policy = page.headers()["content-security-policy"]
        .to_str()
        .expect("ascii");
    assert!(
        policy.contains("script-src 'self' 'wasm-unsafe-eval'"),
        "{policy}"
    );
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(!policy.contains("unsafe-inline"), "{policy}");
    assert_eq!(page.headers()["x-frame-options"], "DENY");

    // The server's own paths keep their problem+json 404s; a write is never a page.
    for (method, path) in [
        (reqwest::Method::GET, "/api/v1/no-such-thing"),
        (reqwest::Method::GET, "/api"),
        (reqwest::Method::GET, "/health/nothing"),
        (reqwest::Method::GET, "/assets/app-9999.js"),
        (reqwest::Method::GET, "/metrics/x"),
        (reqwest::Method::POST, "/"),
    ] {
        let response = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .expect("sent");
        assert_eq!(response.status(), 404, "{method} {path}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{method} {path}"
        );
    }
}
