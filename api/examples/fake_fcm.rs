//! A fast local stand-in for Google's token endpoint and FCM HTTP v1, for the push benchmark
//! (`bench/push.sh`): HTTP/2 in clear on `127.0.0.1:<port>`, it grants any assertion an access
//! token, accepts every `messages:send` that carries one and a device token, and counts them.
//! `GET /stats` answers `{"sent": n, "distinct": d, "first_ms": t, "last_ms": t}` (Unix
//! milliseconds of the first and last accepted push).
//!
//! `cargo run --release -p api --example fake_fcm -- <port>`

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};

#[derive(Default)]
struct Stats {
    sent: u64,
    tokens: HashSet<String>,
    first_ms: u128,
    last_ms: u128,
}

/// Google's clock, not ours: the fake times what it receives by the wall clock.
#[allow(clippy::disallowed_methods)]
fn now_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

async fn handle(
    stats: web::Data<Mutex<Stats>>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let path = req.path();
    if path == "/token" {
        return HttpResponse::Ok()
            .content_type("application/json")
            .body(r#"{"access_token":"ya29.bench","expires_in":3599,"token_type":"Bearer"}"#);
    }
    if path == "/stats" {
        let s = stats
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        return HttpResponse::Ok()
            .content_type("application/json")
            .body(format!(
                r#"{{"sent":{},"distinct":{},"first_ms":{},"last_ms":{}}}"#,
                s.sent,
                s.tokens.len(),
                s.first_ms,
                s.last_ms
            ));
    }
    let authorized = req
        .headers()
        .get("authorization")
        .is_some_and(|v| v.as_bytes() == b"Bearer ya29.bench");
    if !path.ends_with("/messages:send") || !authorized {
        return HttpResponse::Unauthorized().finish();
    }
    // The device token, without a JSON parser: `"token":"…"`.
    let text = String::from_utf8_lossy(&body);
    let Some(token) = text
        .split("\"token\":\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
    else {
        return HttpResponse::BadRequest().finish();
    };
    let at = now_ms();
    let mut s = stats
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if s.sent == 0 {
        s.first_ms = at;
    }
    s.sent += 1;
    s.last_ms = at;
    s.tokens.insert(token.to_owned());
    HttpResponse::Ok()
        .content_type("application/json")
        .body(r#"{"name":"projects/bench/messages/1"}"#)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port: u16 = std::env::args()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(9099);
    let stats = web::Data::new(Mutex::new(Stats::default()));
    HttpServer::new(move || {
        App::new()
            .app_data(stats.clone())
            .default_service(web::to(handle))
    })
    .workers(1)
    .bind_auto_h2c(("127.0.0.1", port))?
    .run()
    .await
}
