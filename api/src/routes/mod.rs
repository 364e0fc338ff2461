//! HTTP routes: one module per resource, each with a `configure` that registers its handlers
//! through utoipa-actix-web, so everything that is served is also in the OpenAPI spec.

pub mod audit;
pub mod auth;
pub mod fallback;
pub mod health;
pub mod me;
pub mod outbox;
pub mod partners;

use actix_web::http::header;
use actix_web::{web, HttpRequest};
use utoipa_actix_web::service_config::ServiceConfig;
use validator::Validate;

use crate::error::{AppError, AppResult};

/// Everything under `/api/v1`.
pub fn configure(cfg: &mut ServiceConfig<'_>) {
    auth::configure(cfg);
    me::configure(cfg);
    partners::configure(cfg);
    audit::configure(cfg);
    outbox::configure(cfg);
    cfg.service(health::openapi_json);
}

/// The JSON body, checked against its validation rules (422 with one entry per field).
pub fn valid<T: Validate>(body: web::Json<T>) -> AppResult<T> {
    let body = body.into_inner();
    body.validate()?;
    Ok(body)
}

/// Query parameters, checked against their validation rules.
pub fn valid_query<T: Validate>(query: web::Query<T>) -> AppResult<T> {
    let query = query.into_inner();
    query.validate()?;
    Ok(query)
}

/// The `If-Match` value, read before the blocking database call that checks it.
pub fn if_match_of(req: &HttpRequest) -> Option<String> {
    req.headers().get(header::IF_MATCH).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// `If-Match` (taken from the request by `if_match_of`) must name the current ETag when given
/// (`*` matches anything); otherwise 412.
pub fn check_etag(if_match: Option<&str>, current_etag: &str) -> AppResult<()> {
    let Some(value) = if_match else { return Ok(()) };
    let matches = value
        .split(',')
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == current_etag);
    if matches {
        Ok(())
    } else {
        Err(AppError::precondition_failed())
    }
}
