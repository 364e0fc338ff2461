//! A webhook receiver on a real port: it keeps every request (headers and raw body) and answers
//! with the statuses it is told to, in turn (200 once they run out).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use actix_web::{web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// A request as the receiver got it.
#[derive(Debug, Clone)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub content_type: String,
    pub body: String,
}

impl Received {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }

    /// Whether one of the request's signatures is `secret`'s, computed here from the Standard
    /// Webhooks specification (HMAC-SHA256 of `id.timestamp.body`, keyed with the base64-decoded
    /// part of `whsec_…`), not with the server's code.
    pub fn signed_with(&self, secret: &str) -> bool {
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
            .expect("base64 secret");
        let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
        mac.update(format!("{}.{}.{}", self.id, self.timestamp, self.body).as_bytes());
        let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
        self.signature.split(' ').any(|s| s == expected)
    }
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    answers: VecDeque<u16>,
    always: Option<u16>,
}

#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    state: Arc<Mutex<State>>,
}

async fn receive(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let mut state = state.lock().expect("receiver state");
    state.received.push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        content_type: header("content-type"),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let status = state.answers.pop_front().or(state.always).unwrap_or(200);
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("status"))
        .body(format!("answered {status}"))
}

impl Receiver {
    pub fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let port = super::serve_locally(state.clone(), receive);
        Self {
            url: format!("http://127.0.0.1:{port}/hooks"),
            state,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().expect("receiver state"))
    }

    pub fn received(&self) -> Vec<Received> {
        self.with(|s| s.received.clone())
    }

    /// The types of the events received, in order.
    pub fn types(&self) -> Vec<String> {
        self.received()
            .iter()
            .map(|r| r.json()["type"].as_str().unwrap_or_default().to_owned())
            .collect()
    }

    /// Answers the next requests with `statuses`, in turn.
    pub fn answer(&self, statuses: &[u16]) {
        self.with(|s| s.answers.extend(statuses));
    }

    /// Answers every request with `status` (once the queued answers ran out).
    pub fn always(&self, status: u16) {
        self.with(|s| s.always = Some(status));
    }
}
