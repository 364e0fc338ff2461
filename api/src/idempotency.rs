//! `Idempotency-Key` on every create (and on paying), with Stripe's semantics: a retry of a
//! request with the same key and the same body gets the first answer again — status, `ETag`,
//! `Location` and body, with `Idempotent-Replayed: true` — and does nothing more; the same key with
//! another request is 422 `idempotency_key_reused`. Answers that did something (2xx, and a
//! declined payment's 402, which records the failed charge) are kept; other errors change
//! nothing and keep nothing, so a retry runs afresh. The key is taken in the work's own
//! transaction: it exists exactly when the work committed, so a request killed half-way leaves no
//! trace and its retry simply runs, and a retry sent while the first is still running waits for
//! it and replays its answer. Keys belong to the signed-in account, or for the SDK API to the app.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use types::ErrorCode;

use crate::db::idempotency::{self, Answer, Claim};
use crate::db::DbConn;
use crate::error::{ApiResult, AppError, AppResult, PROBLEM_JSON};
use crate::sdk::SdkApp;
use crate::state::AppState;

pub const HEADER: &str = "Idempotency-Key";

/// Whose keys a request's key is among.
pub enum KeyOwner {
    /// The signed-in account (the customer, during "log in as").
    Account(i64),
    /// The app whose key came with an SDK request: its keys are its own, whoever owns the app.
    App(SdkApp),
}

/// What a request answered: its status, the headers a replay repeats, and its JSON body (a
/// problem body for an error that is kept).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: StatusCode,
    pub headers: Vec<(String, String)>,
    pub body: serde_json::Value,
}

impl Outcome {
    pub fn json<T: Serialize>(status: StatusCode, value: &T) -> AppResult<Self> {
        Ok(Self {
            status,
            headers: Vec::new(),
            body: serde_json::to_value(value).map_err(AppError::internal)?,
        })
    }

    /// 201 with the new resource and its URL in `Location` (relative to the server).
    pub fn created<T: Serialize>(value: &T, location: String) -> AppResult<Self> {
        Ok(Self::json(StatusCode::CREATED, value)?.header(header::LOCATION.as_str(), location))
    }

    /// An error that is an answer in its own right (it recorded something).
    pub fn problem(error: &AppError) -> AppResult<Self> {
        Self::json(error.status(), &error.problem())
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// The version of an editable record, for `If-Match`.
    pub fn etag(self, etag: &str) -> Self {
        self.header(header::ETAG.as_str(), etag)
    }

    fn answer(self) -> Answer {
        Answer {
            status: self.status.as_u16(),
            headers: self.headers,
            body: self.body.to_string(),
        }
    }
}

fn respond(answer: Answer, replayed: bool) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut response = HttpResponse::build(status);
    response.content_type(if status.is_client_error() || status.is_server_error() {
        PROBLEM_JSON
    } else {
        "application/json"
    });
    for (name, value) in answer.headers {
        response.insert_header((name, value));
    }
    if replayed {
        response.insert_header(("Idempotent-Replayed", "true"));
    }
    response.body(answer.body)
}

/// The request's key: 1–255 visible ASCII characters, else 400 `invalid_idempotency_key`.
pub fn key_of(req: &HttpRequest) -> AppResult<Option<String>> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(|k| Some(k.to_owned()))
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::InvalidIdempotencyKey,
                "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good key).",
            )
        })
}

/// What identifies a request for its key: method, path and the parsed body (`request`), under an
/// HMAC keyed with the server's secret, as bodies may hold passwords.
fn request_hash<T: Serialize>(
    state: &AppState,
    req: &HttpRequest,
    request: &T,
) -> AppResult<String> {
    let secret = state.settings.jwt_secret.as_deref().unwrap_or_default();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(AppError::internal)?;
    mac.update(req.method().as_str().as_bytes());
    mac.update(b" ");
    mac.update(req.path().as_bytes());
    mac.update(b"\n");
    mac.update(&serde_json::to_vec(request).map_err(AppError::internal)?);
    Ok(hex::encode(mac.finalize().into_bytes()))
}

/// Runs `work` on the request's parsed body in one transaction, once per key: see the module's
/// documentation. The body is hashed with the method and path to recognise a retry.
pub async fn run<T, F>(
    state: &AppState,
    req: &HttpRequest,
    owner: KeyOwner,
    request: T,
    work: F,
) -> ApiResult<HttpResponse>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut DbConn, T) -> AppResult<Outcome> + Send + 'static,
{
    let key = match key_of(req)? {
        Some(key) => Some((key, request_hash(state, req, &request)?)),
        None => None,
    };
    let clock = state.clock.clone();
    let (answer, replayed) = state
        .db
        .transaction(move |conn| {
            let Some((key, hash)) = key else {
                return Ok((work(conn, request)?.answer(), false));
            };
            let (account, key) = match owner {
                KeyOwner::Account(id) => (id, key),
                KeyOwner::App(app) => {
                    let app = app.row()?;
                    (app.owner_id, format!("app:{}:{key}", app.id))
                }
            };
            let now = clock.now();
            match idempotency::claim(conn, account, &key, &hash, now)? {
                Claim::Replay(answer) => Ok((answer, true)),
                Claim::Reused => Err(key_reused()),
                Claim::New(id) => {
                    let answer = work(conn, request)?.answer();
                    idempotency::complete(conn, id, &answer, now)?;
                    Ok((answer, false))
                }
            }
        })
        .await?;
    Ok(respond(answer, replayed))
}

/// 422: the key already answered another request.
fn key_reused() -> AppError {
    AppError::new(ErrorCode::IdempotencyKeyReused,
        "This Idempotency-Key was used with another request (method, path or body). Use a new key for a new request.",
    )
}
