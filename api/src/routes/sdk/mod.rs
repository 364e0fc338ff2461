//! The SDK API: what mobile apps send, authenticated by the app's public key in `X-App-Key`
//! (no user token). Rate limited per key.

use crate::routes::Register;
use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use types::mobile_users::{CreateMobileUser, MobileUserRegistered};
use types::orders::{CreateOrder, Order};
use types::quotes::{CreateQuoteRequest, QuoteRequest};
use types::sdk::{DeviceRegistered, EventBatch, EventsAccepted, RegisterDevice};

use crate::db::parse_id;
use crate::error::{ApiResult, AppError, AppResult};
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::orders::{self};
use crate::quotes;
use crate::routes::Valid;
use crate::sdk::{self, SdkApp};
use crate::state::AppState;

mod quote_requests;
use quote_requests::*;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(register_device)
        .service(record_events)
        .service(register_mobile_user)
        .service(report_order)
        .service(send_quote_request)
        .service(read_quote_request)
        .service(accept_offer)
        .service(decline_by_app);
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
    req: HttpRequest,
    state: web::Data<AppState>,
    app: SdkApp,
    body: Valid<RegisterDevice>,
) -> ApiResult<HttpResponse> {
    let owner = KeyOwner::App(app.clone());
    idempotency::run(&state, &req, owner, body.0, move |conn, body| {
        let app = app.row()?;
        let (device_id, created) = sdk::register_device(conn, app, &body, crate::clock::now())?;
        let body = DeviceRegistered {
            device_id: device_id.to_string(),
            created,
        };
        // No Location: a device is read in its app's list, not at a URL of its own.
        let status = if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Outcome::json(status, &body)
    })
    .await
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
) -> ApiResult<HttpResponse> {
    let outcome = state
        .db
        .transaction(move |conn| sdk::record_events(conn, app.row()?, &body.0, crate::clock::now()))
        .await?;
    Ok(HttpResponse::Accepted().json(outcome))
}

/// Registers a user who signed up in a stand-alone app, and answers the user's handle
/// (`mobile_user_ref`) for its orders and quote requests. An email the app already has answers
/// the same 201 with that user's handle and changes nothing (names are not overwritten): the app
/// key ships inside the app, and this answer must not tell its holder which shoppers exist.
/// Magento apps answer 403: their users sign up in the Magento store. (What apps send is not in
/// the audit log, which records what back-office accounts do.)
#[utoipa::path(
    tag = "sdk",
    security(("app_key" = [])),
    request_body = CreateMobileUser,
    responses(
        (status = 201, description = "Registered (or registered before)", body = MobileUserRegistered),
        (status = 401, description = "`invalid_app_key`: missing, unknown or rotated key"),
        (status = 403, description = "`managed_by_magento`"),
        (status = 429, description = "`rate_limited`: too many requests for this key"),
    )
)]
#[post("/sdk/mobile-users")]
async fn register_mobile_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    app: SdkApp,
    body: Valid<CreateMobileUser>,
) -> ApiResult<HttpResponse> {
    let owner = KeyOwner::App(app.clone());
    idempotency::run(&state, &req, owner, body.0, move |conn, body| {
        let mobile_user_ref = sdk::register_mobile_user(conn, app.row()?, &body)?;
        // No Location: it would tell a new user (a fresh id) from a known one.
        Outcome::json(
            StatusCode::CREATED,
            &MobileUserRegistered { mobile_user_ref },
        )
    })
    .await
}

/// Reports an order placed in the app (Standard apps). Idempotent by `order_number`: the same
/// order sent again answers 200 with the stored one and stores nothing; another order with a
/// number already used is 409. The order starts `pending`, with the app as the first step of its
/// trace. With `quote_id`, it takes up an accepted quote and must hold its offer; the quote's
/// `access_key` comes in `X-Quote-Key` (else 422 on `quote_id`, as for an unknown quote).
#[utoipa::path(
    tag = "sdk",
    security(("app_key" = [])),
    request_body = CreateOrder,
    params(("X-Quote-Key" = Option<String>, Header, description = "With `quote_id`: the quote request's `access_key`")),
    responses(
        (status = 201, description = "Stored", body = Order),
        (status = 200, description = "This very order was already stored: nothing new was stored", body = Order),
        (status = 401, description = "`invalid_app_key`: missing, unknown or rotated key"),
        (status = 403, description = "`edition_required`: a Basic app"),
        (status = 409, description = "`order_number_taken`: another order has this number; `quote_not_accepted`, `quote_mismatch` or `quote_already_ordered` for a `quote_id`"),
        (status = 422, description = "`validation_failed`: e.g. `total` does not add up, an unknown `currency`"),
        (status = 429, description = "`rate_limited`: too many requests for this key"),
    )
)]
#[post("/sdk/orders")]
async fn report_order(
    req: HttpRequest,
    state: web::Data<AppState>,
    app: SdkApp,
    body: Valid<CreateOrder>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let (owner, app) = (KeyOwner::App(app.clone()), app.clone());
    let (key, secret) = (presented_quote_key(&req), server_secret(&state));
    idempotency::run(&state, &req, owner, body.0, move |conn, order| {
        let app = app.row()?;
        // Only the device that asked for a quote may order it.
        if let Some(quote_id) = order.quote_id.as_deref() {
            let not_yours =
                || AppError::invalid_field("quote_id", "is not a quote request of this app");
            let quote_id = parse_id(quote_id).map_err(|_| not_yours())?;
            quotes::check_access_key(&secret, app.id, quote_id, key.as_deref())
                .map_err(|_| not_yours())?;
        }
        let (created, detail) = orders::report(conn, app, &order, now)?;
        if created {
            let location = format!("/api/v1/apps/{}/orders/{}", app.id, detail.id);
            Ok(Outcome::created(&for_app(detail), location)?)
        } else {
            Ok(Outcome::json(StatusCode::OK, &for_app(detail))?)
        }
    })
    .await
}

/// What the app may see of an order: its trace without who in the back office moved it.
fn for_app(mut order: Order) -> Order {
    for step in order.history.iter_mut().flatten() {
        step.actor.account_id = None;
        step.actor.email = None;
        step.actor.impersonator_id = None;
    }
    order
}
