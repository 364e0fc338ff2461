//! `Idempotency-Key`, with Stripe's semantics: a retry of a request with the same key and the
//! same body gets the first answer again (header `Idempotent-Replayed: true`) and does nothing
//! more; the same key with another request is 422 `idempotency_key_reused`; while the first is
//! still running, 409 `idempotency_key_in_use`. Answers that did something (2xx, and a declined
//! payment's 402, which records the failed charge) are kept; other errors change nothing, so the
//! key is released and a retry runs afresh. Keys are scoped to the signed-in account.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::db::idempotency::{self, Claim};
use crate::db::DbConn;
use crate::error::{AppError, AppResult, PROBLEM_JSON};
use crate::state::AppState;

pub const HEADER: &str = "Idempotency-Key";

/// What a request answered: its status and JSON body (a problem body for an error that is kept).
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: StatusCode,
    pub body: serde_json::Value,
}

impl Outcome {
    pub fn json<T: Serialize>(status: StatusCode, value: &T) -> AppResult<Self> {
        Ok(Self {
            status,
            body: serde_json::to_value(value).map_err(AppError::internal)?,
        })
    }

    /// An error that is an answer in its own right (it recorded something).
    pub fn problem(error: &AppError) -> AppResult<Self> {
        Self::json(
            actix_web::ResponseError::status_code(error),
            &error.problem(),
        )
    }

    fn respond(status: StatusCode, body: String, replayed: bool) -> HttpResponse {
        let mut response = HttpResponse::build(status);
        response.content_type(if status.is_client_error() || status.is_server_error() {
            PROBLEM_JSON
        } else {
            "application/json"
        });
        if replayed {
            response.insert_header(("Idempotent-Replayed", "true"));
        }
        response.body(body)
    }
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
            AppError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1 to 255 visible ASCII characters (a UUID is a good key).",
            )
        })
}

/// Runs `work` in one transaction, once per key: see the module's documentation. `request` is
/// the parsed body, hashed with the method and path to recognise a retry.
pub async fn run<T, F>(
    state: &AppState,
    req: &HttpRequest,
    account: i64,
    request: &T,
    work: F,
) -> AppResult<HttpResponse>
where
    T: Serialize,
    F: FnOnce(&mut DbConn) -> AppResult<Outcome> + Send + 'static,
{
    let Some(key) = key_of(req)? else {
        let outcome = state.db.transaction(work).await?;
        return Ok(Outcome::respond(
            outcome.status,
            outcome.body.to_string(),
            false,
        ));
    };
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(b" ");
    hasher.update(req.path());
    hasher.update(b"\n");
    hasher.update(serde_json::to_vec(request).map_err(AppError::internal)?);
    let hash = hex::encode(hasher.finalize());
    let now = state.clock.now();
    let claim = state
        .db
        .transaction(move |conn| idempotency::claim(conn, account, &key, &hash, now))
        .await?;
    let id = match claim {
        Claim::Replay { status, body } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            return Ok(Outcome::respond(status, body, true));
        }
        Claim::New(id) => id,
    };
    let clock = state.clock.clone();
    let done = state
        .db
        .transaction(move |conn| {
            let outcome = work(conn)?;
            let body = outcome.body.to_string();
            idempotency::complete(conn, id, outcome.status.as_u16(), &body, clock.now())?;
            Ok((outcome.status, body))
        })
        .await;
    match done {
        Ok((status, body)) => Ok(Outcome::respond(status, body, false)),
        Err(e) => {
            if let Err(release) = state
                .db
                .run(move |conn| idempotency::release(conn, id))
                .await
            {
                tracing::warn!(error = %release, "could not release an idempotency key");
            }
            Err(e)
        }
    }
}
