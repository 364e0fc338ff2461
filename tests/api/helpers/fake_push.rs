//! Local fakes of the push providers on one real port, speaking HTTP/2 in clear: Google's OAuth
//! 2.0 token endpoint (`POST /token`: checks the service account's RS256 assertion against its
//! public key), FCM HTTP v1 (`POST /v1/projects/{project}/messages:send`: checks the access
//! token it issued and the message) and APNs (`POST /3/device/{token}`: checks the ES256
//! provider token against the key's public half, the key id, team id and topic). The JWTs are
//! checked with the keys' public halves and the providers' documented claims — not with the
//! server's code.
//!
//! A device token's prefix decides the answer: `ok-` succeeds; `unreg-` is gone (FCM 404
//! `UNREGISTERED`, APNs 410 `Unregistered`); `invalid-` is a bad token (FCM 400 with an
//! `FcmError` `INVALID_ARGUMENT`, APNs 400 `BadDeviceToken`); `busy-` answers 429 with
//! `Retry-After: 30` once, then succeeds; `flaky-` answers 500 once, then succeeds; `down-`
//! always answers 503.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::{web, HttpRequest, HttpResponse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{json, Value};

pub const FCM_PRIVATE_KEY: &str = include_str!("../fixtures/push_fcm_test_key.pem");
const FCM_PUBLIC_KEY: &str = include_str!("../fixtures/push_fcm_test_key.pub.pem");
pub const APNS_PRIVATE_KEY: &str = include_str!("../fixtures/push_apns_test_key.p8");
const APNS_PUBLIC_KEY: &str = include_str!("../fixtures/push_apns_test_key.pub.pem");

pub const PROJECT: &str = "shop-test-1a2b3";
pub const CLIENT_EMAIL: &str = "firebase-adminsdk@shop-test-1a2b3.iam.gserviceaccount.com";
pub const FCM_KEY_ID: &str = "4f1c2a9e0b7d";
pub const APNS_KEY_ID: &str = "ABC123DEFG";
pub const TEAM_ID: &str = "DEF123GHIJ";
pub const TOPIC: &str = "com.example.shop";

/// A Firebase service account key file for the test key.
pub fn service_account() -> String {
    json!({
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": FCM_KEY_ID,
        "private_key": FCM_PRIVATE_KEY,
        "client_email": CLIENT_EMAIL,
        "client_id": "1234567890",
        "token_uri": "https://oauth2.googleapis.com/token",
    })
    .to_string()
}

/// The APNs credentials of the test key, as `PUT push-settings` takes them.
pub fn apns_credentials() -> Value {
    json!({"key_id": APNS_KEY_ID, "team_id": TEAM_ID, "topic": TOPIC,
        "environment": "production", "private_key": APNS_PRIVATE_KEY})
}

/// A push the fake accepted or refused.
#[derive(Debug, Clone)]
pub struct Push {
    /// `fcm` or `apns`.
    pub provider: &'static str,
    pub token: String,
    pub status: u16,
    pub body: Value,
    pub http2: bool,
}

#[derive(Default)]
struct State {
    pushes: Vec<Push>,
    /// Accepted pushes per device token.
    delivered: HashMap<String, usize>,
    /// Requests per device token (to answer `busy-` and `flaky-` differently the second time).
    tries: HashMap<String, usize>,
    issued: Vec<String>,
    token_requests: usize,
    /// Keep every push (tests) or only count them (the 20 000-device test).
    count_only: bool,
}

#[derive(Clone)]
pub struct FakePush {
    pub base: String,
    state: Arc<Mutex<State>>,
}

impl FakePush {
    pub fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let port = super::serve_locally(state.clone(), handle);
        Self {
            base: format!("http://127.0.0.1:{port}"),
            state,
        }
    }

    /// Points a server's settings at this fake.
    pub fn configure(&self, settings: &mut api::settings::Settings) {
        settings.fcm_api_base = self.base.clone();
        settings.fcm_token_url = format!("{}/token", self.base);
        settings.apns_api_base = self.base.clone();
        settings.apns_sandbox_api_base = format!("{}/sandbox", self.base);
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().expect("fake state"))
    }

    pub fn count_only(&self) {
        self.with(|s| s.count_only = true);
    }

    pub fn pushes(&self) -> Vec<Push> {
        self.with(|s| s.pushes.clone())
    }

    /// Accepted pushes per device token.
    pub fn delivered(&self) -> HashMap<String, usize> {
        self.with(|s| s.delivered.clone())
    }

    pub fn token_requests(&self) -> usize {
        self.with(|s| s.token_requests)
    }
}

fn problem(status: u16, body: Value) -> HttpResponse {
    HttpResponse::build(actix_web::http::StatusCode::from_u16(status).expect("status")).json(body)
}

fn fcm_error(status: u16, name: &str, code: &str, message: &str) -> HttpResponse {
    problem(
        status,
        json!({"error": {"code": status, "message": message, "status": name, "details": [
            {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": code}
        ]}}),
    )
}

/// The answer a device token's prefix asks for, on its `tries`-th request (1 for the first).
fn scripted(token: &str, tries: usize) -> Option<&'static str> {
    match token.split('-').next() {
        Some("unreg") => Some("gone"),
        Some("invalid") => Some("bad_token"),
        Some("busy") if tries == 1 => Some("busy"),
        Some("flaky") if tries == 1 => Some("error"),
        Some("down") => Some("unavailable"),
        _ => None,
    }
}

async fn handle(
    state: web::Data<Mutex<State>>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    let path = req.path().to_owned();
    let http2 = req.version() == actix_web::http::Version::HTTP_2;
    if path == "/token" {
        return token(&state, &body);
    }
    if let Some(rest) = path.strip_prefix(&format!("/v1/projects/{PROJECT}/")) {
        if rest != "messages:send" {
            return problem(404, json!({"error": {"code": 404, "status": "NOT_FOUND"}}));
        }
        return fcm_send(&state, &req, &body, http2);
    }
    if let Some(device) = path.strip_prefix("/3/device/") {
        return apns_send(&state, &req, device, &body, http2);
    }
    problem(404, json!({"error": "no such path"}))
}

/// Google's token endpoint: a JWT-bearer grant signed by the service account's key.
fn token(state: &Mutex<State>, body: &[u8]) -> HttpResponse {
    let form: HashMap<String, String> = serde_urlencoded::from_bytes(body).unwrap_or_default();
    if form.get("grant_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        return problem(400, json!({"error": "unsupported_grant_type"}));
    }
    let Some(assertion) = form.get("assertion") else {
        return problem(400, json!({"error": "invalid_request"}));
    };
    let header = jsonwebtoken::decode_header(assertion);
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_aud = false;
    validation.set_issuer(&[CLIENT_EMAIL]);
    let key = DecodingKey::from_rsa_pem(FCM_PUBLIC_KEY.as_bytes()).expect("public key");
    let claims = match jsonwebtoken::decode::<Value>(assertion, &key, &validation) {
        Ok(data) => data.claims,
        Err(e) => {
            return problem(
                400,
                json!({"error": "invalid_grant", "error_description": e.to_string()}),
            )
        }
    };
    let kid_ok = header.ok().and_then(|h| h.kid).as_deref() == Some(FCM_KEY_ID);
    let scope_ok = claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging";
    let aud_ok = claims["aud"]
        .as_str()
        .is_some_and(|a| a.ends_with("/token"));
    let life = claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0);
    if !(kid_ok && scope_ok && aud_ok && (1..=3600).contains(&life)) {
        return problem(400, json!({"error": "invalid_grant", "claims": claims}));
    }
    let mut s = state.lock().expect("fake state");
    s.token_requests += 1;
    let access = format!("ya29.fake-{}", s.token_requests);
    s.issued.push(access.clone());
    HttpResponse::Ok()
        .json(json!({"access_token": access, "expires_in": 3599, "token_type": "Bearer"}))
}

fn note(state: &Mutex<State>, push: Push) -> usize {
    let mut s = state.lock().expect("fake state");
    let tries = {
        let n = s.tries.entry(push.token.clone()).or_insert(0);
        *n += 1;
        *n
    };
    if !s.count_only {
        s.pushes.push(push);
    }
    tries
}

fn fcm_send(state: &Mutex<State>, req: &HttpRequest, body: &[u8], http2: bool) -> HttpResponse {
    let bearer = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_owned);
    let known = bearer.is_some_and(|b| state.lock().expect("fake state").issued.contains(&b));
    if !known {
        return problem(
            401,
            json!({"error": {"code": 401, "status": "UNAUTHENTICATED"}}),
        );
    }
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let message = &body["message"];
    let token = message["token"].as_str().unwrap_or("").to_owned();
    let valid = !token.is_empty()
        && message["notification"]["title"].is_string()
        && message["data"]["message_id"].is_string()
        && message["data"]
            .as_object()
            .is_some_and(|d| d.values().all(Value::is_string));
    if !valid {
        return problem(
            400,
            json!({"error": {"code": 400, "status": "INVALID_ARGUMENT", "details": [
            {"@type": "type.googleapis.com/google.rpc.BadRequest"}]}}),
        );
    }
    let mut push = Push {
        provider: "fcm",
        token: token.clone(),
        status: 200,
        body: body.clone(),
        http2,
    };
    let answer = scripted(&token, tries_for(state, &token) + 1);
    push.status = match answer {
        None => 200,
        Some("gone") => 404,
        Some("bad_token") => 400,
        Some("busy") => 429,
        Some("error") => 500,
        _ => 503,
    };
    note(state, push);
    match answer {
        None => {
            *state.lock().expect("fake state").delivered.entry(token).or_insert(0) += 1;
            HttpResponse::Ok().json(json!({"name": format!("projects/{PROJECT}/messages/0:1")}))
        }
        Some("gone") => fcm_error(404, "NOT_FOUND", "UNREGISTERED", "Requested entity was not found."),
        Some("bad_token") => fcm_error(400, "INVALID_ARGUMENT", "INVALID_ARGUMENT", "The registration token is not a valid FCM registration token"),
        Some("busy") => HttpResponse::TooManyRequests()
            .insert_header(("retry-after", "30"))
            .json(json!({"error": {"code": 429, "status": "RESOURCE_EXHAUSTED", "details": [
                {"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "QUOTA_EXCEEDED"}]}})),
        Some("error") => fcm_error(500, "INTERNAL", "INTERNAL", "Internal error."),
        _ => fcm_error(503, "UNAVAILABLE", "UNAVAILABLE", "The service is unavailable."),
    }
}

fn tries_for(state: &Mutex<State>, token: &str) -> usize {
    state
        .lock()
        .expect("fake state")
        .tries
        .get(token)
        .copied()
        .unwrap_or(0)
}

fn apns_send(
    state: &Mutex<State>,
    req: &HttpRequest,
    device: &str,
    body: &[u8],
    http2: bool,
) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let Some(jwt) =
        header("authorization").and_then(|a| a.strip_prefix("bearer ").map(str::to_owned))
    else {
        return problem(403, json!({"reason": "MissingProviderToken"}));
    };
    let mut validation = Validation::new(Algorithm::ES256);
    validation.validate_exp = false;
    validation.required_spec_claims.clear();
    validation.set_issuer(&[TEAM_ID]);
    let key = DecodingKey::from_ec_pem(APNS_PUBLIC_KEY.as_bytes()).expect("public key");
    let kid = jsonwebtoken::decode_header(&jwt).ok().and_then(|h| h.kid);
    let claims = jsonwebtoken::decode::<Value>(&jwt, &key, &validation).map(|d| d.claims);
    let fresh = claims
        .as_ref()
        .ok()
        .and_then(|c| c["iat"].as_i64())
        .is_some_and(|iat| (api::clock::system_time().timestamp() - iat).abs() < 3600);
    if kid.as_deref() != Some(APNS_KEY_ID) || !fresh {
        return problem(403, json!({"reason": "InvalidProviderToken"}));
    }
    if header("apns-topic").as_deref() != Some(TOPIC)
        || header("apns-push-type").as_deref() != Some("alert")
    {
        return problem(400, json!({"reason": "MissingTopic"}));
    }
    let body: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if !body["aps"]["alert"]["body"].is_string() || !body["message_id"].is_string() {
        return problem(400, json!({"reason": "PayloadEmpty"}));
    }
    let token = device.to_owned();
    let answer = scripted(&token, tries_for(state, &token) + 1);
    let status = match answer {
        None => 200,
        Some("gone") => 410,
        Some("bad_token") => 400,
        Some("busy") => 429,
        Some("error") => 500,
        _ => 503,
    };
    note(
        state,
        Push {
            provider: "apns",
            token: token.clone(),
            status,
            body,
            http2,
        },
    );
    match answer {
        None => {
            *state
                .lock()
                .expect("fake state")
                .delivered
                .entry(token)
                .or_insert(0) += 1;
            HttpResponse::Ok()
                .insert_header(("apns-id", "EC1BF194-B3B2-424A-89A9-5A918A6E4A2A"))
                .finish()
        }
        Some("gone") => problem(
            410,
            json!({"reason": "Unregistered", "timestamp": api::clock::system_time().timestamp_millis()}),
        ),
        Some("bad_token") => problem(400, json!({"reason": "BadDeviceToken"})),
        Some("busy") => HttpResponse::TooManyRequests()
            .insert_header(("retry-after", "30"))
            .json(json!({"reason": "TooManyRequests"})),
        Some("error") => problem(500, json!({"reason": "InternalServerError"})),
        _ => problem(503, json!({"reason": "ServiceUnavailable"})),
    }
}
