//! Operations endpoints, outside `/api/v1`: liveness, readiness and Prometheus metrics.

use crate::routes::Register;
use actix_web::{get, web, HttpRequest, HttpResponse};
use diesel::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult, AppError};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(live).service(ready).service(metrics);
}

/// The OpenAPI document, rendered once at start-up.
pub struct SpecJson(pub String);

/// This API's OpenAPI 3.1 document (what `/docs` shows).
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "The OpenAPI document", body = Object, content_type = "application/json"))
)]
#[get("/openapi.json")]
pub async fn openapi_json(spec: web::Data<SpecJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(spec.0.clone())
}

/// Health status.
#[derive(Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` in a 200.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// The process is up (it does not check the database).
#[utoipa::path(tag = "operations", responses((status = 200, description = "Alive", body = Health)))]
#[get("/health/live")]
async fn live() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The process can serve requests: the database answers. 503 while it does not.
#[utoipa::path(
    tag = "operations",
    responses((status = 200, description = "Ready", body = Health))
)]
#[get("/health/ready")]
async fn ready(state: web::Data<AppState>) -> ApiResult<HttpResponse> {
    state
        .db
        .run(|conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Ok().json(Health { status: "ok" }))
}

/// Prometheus metrics: requests by route and status, latency histograms, database pool use.
/// With `METRICS_TOKEN` set, only a request bearing it reads them; without, only clients on this
/// machine do. Anyone else gets the 404 of an unknown path.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Prometheus text exposition format", body = String, content_type = "text/plain"),
        (status = 404, description = "Not for this client: no `METRICS_TOKEN` bearer, or not on this machine"),
    )
)]
#[get("/metrics")]
async fn metrics(state: web::Data<AppState>, req: HttpRequest) -> ApiResult<HttpResponse> {
    if !may_read_metrics(&req, state.settings.metrics_token.as_deref()) {
        return Err(ApiError(AppError::not_found()));
    }
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(&state.db)))
}

fn may_read_metrics(req: &HttpRequest, token: Option<&str>) -> bool {
    match token {
        Some(token) => req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|given| {
                use sha2::{Digest, Sha256};
                // Equal digests in constant time: compare what cannot leak the token's length.
                let (a, b) = (Sha256::digest(given.trim()), Sha256::digest(token));
                a.iter().zip(b.iter()).fold(0, |acc, (x, y)| acc | (x ^ y)) == 0
            }),
        None => req.peer_addr().is_some_and(|a| a.ip().is_loopback()),
    }
}
