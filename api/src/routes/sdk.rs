//! The SDK API: what mobile apps send, authenticated by the app's public key in `X-App-Key`
//! (no user token). Rate limited per key.

use actix_web::{post, web, HttpResponse};
use types::mobile_users::{CreateMobileUser, MobileUser};
use types::sdk::{DeviceRegistered, EventBatch, EventsAccepted, RegisterDevice};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::AppResult;
use crate::routes::Valid;
use crate::sdk::{self, SdkApp};
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(register_device)
        .service(record_events)
        .service(register_mobile_user);
}

/// Registers the device the app runs on, or updates it (same `installation_id`): call it on
/// every launch and whenever the push token or permission changes. Idempotent.
#[utoipa::path(
    tag = "sdk",
    security(("app_key" = [])),
    request_body = RegisterDevice,
    responses(
        (status = 201, description = "Registered", body = DeviceRegistered),
        (status = 200, description = "Updated (the installation was known)", body = DeviceRegistered),
        (status = 401, description = "`invalid_app_key`: missing, unknown or rotated key"),
        (status = 429, description = "`rate_limited`: too many requests for this key"),
    )
)]
#[post("/sdk/devices")]
async fn register_device(
    state: web::Data<AppState>,
    app: SdkApp,
    body: Valid<RegisterDevice>,
) -> AppResult<HttpResponse> {
    let (device_id, created) = state
        .db
        .transaction(move |conn| sdk::register_device(conn, &app.0, &body.0, crate::db::now()))
        .await?;
    let body = DeviceRegistered {
        device_id: device_id.to_string(),
        created,
    };
    Ok(if created {
        HttpResponse::Created().json(body)
    } else {
        HttpResponse::Ok().json(body)
    })
}

/// Reports up to 500 events (sessions and push opens) of the app's registered devices. The batch
/// is stored whole or not at all: a 422 names each bad event as `events[i].field`.
#[utoipa::path(
    tag = "sdk",
    security(("app_key" = [])),
    request_body = EventBatch,
    responses(
        (status = 202, description = "Stored; events already reported (same `id`) are counted as `duplicates`", body = EventsAccepted),
        (status = 401, description = "`invalid_app_key`: missing, unknown or rotated key"),
        (status = 422, description = "`validation_failed`: nothing was stored; `errors` names each bad event by index"),
        (status = 429, description = "`rate_limited`: too many requests for this key"),
    )
)]
#[post("/sdk/events")]
async fn record_events(
    state: web::Data<AppState>,
    app: SdkApp,
    body: Valid<EventBatch>,
) -> AppResult<HttpResponse> {
    let outcome = state
        .db
        .transaction(move |conn| sdk::record_events(conn, &app.0, &body.0, crate::db::now()))
        .await?;
    Ok(HttpResponse::Accepted().json(outcome))
}

/// Registers a user who signed up in a stand-alone app. Magento apps answer 403: their users
/// sign up in the Magento store. (What apps send is not in the audit log, which records what
/// back-office accounts do.)
#[utoipa::path(
    tag = "sdk",
    security(("app_key" = [])),
    request_body = CreateMobileUser,
    responses(
        (status = 201, description = "Registered", body = MobileUser),
        (status = 401, description = "`invalid_app_key`: missing, unknown or rotated key"),
        (status = 403, description = "`managed_by_magento`"),
        (status = 409, description = "`email_taken` in this app"),
        (status = 429, description = "`rate_limited`: too many requests for this key"),
    )
)]
#[post("/sdk/mobile-users")]
async fn register_mobile_user(
    state: web::Data<AppState>,
    app: SdkApp,
    body: Valid<CreateMobileUser>,
) -> AppResult<HttpResponse> {
    let user = state
        .db
        .transaction(move |conn| sdk::create_mobile_user(conn, &app.0, &body.0))
        .await?;
    Ok(HttpResponse::Created().json(user.to_wire()))
}
