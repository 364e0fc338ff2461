//! Webhook endpoints: `/webhook-endpoints...`. Every account manages its own (another
//! account's is a 404); what an endpoint hears is what its account may see (`webhooks::emit`).

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use types::webhooks::{
    CreateWebhookEndpoint, DeliveryFilter, DeliveryStatus, UpdateWebhookEndpoint, WebhookDelivery,
    WebhookEndpoint,
};
use types::ErrorCode;
use types::{Page, PageQuery};

use crate::auth::AuthUser;
use crate::db::page::Paging;
use crate::db::parse_id;
use crate::db::webhooks::{stored_types, DeliveryRow, EndpointChanges, EndpointRow, NewEndpoint};
use crate::error::{ApiResult, AppError, AppResult};
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::routes::{if_match_of, valid_query, Register, Valid};
use crate::state::AppState;
use crate::webhooks::{self, address};

mod deliveries;
use crate::routes::{check_if_match, versioned, Versioned};
use deliveries::*;

/// Endpoints one account may have.
pub const MAX_ENDPOINTS: i64 = 20;

/// How long events are also signed with the previous secret after a rotation.
pub const ROTATION_OVERLAP_HOURS: i64 = 24;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_endpoints)
        .service(create_endpoint)
        .service(get_endpoint)
        .service(update_endpoint)
        .service(delete_endpoint)
        .service(rotate_secret)
        .service(send_test)
        .service(list_deliveries)
        .service(retry_delivery);
}

/// The endpoint with its ETag; `now` (the server's clock) tells whether a rotation's overlap
/// is still running.
fn respond(
    response: actix_web::HttpResponseBuilder,
    endpoint: &EndpointRow,
    secret: Option<String>,
    now: chrono::NaiveDateTime,
) -> HttpResponse {
    versioned(response, endpoint, &endpoint.to_wire(secret, now))
}

/// The URL's host must resolve to public addresses only (422 on `url`).
async fn check_url(state: &AppState, url: &str) -> ApiResult<()> {
    Ok(
        address::check_url(url, state.settings.webhook_allow_loopback)
            .await
            .map_err(|message| AppError::invalid_field("url", message))?,
    )
}

/// Lists your webhook endpoints, newest first.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(PageQuery),
    responses((status = 200, description = "One page of endpoints", body = Page<WebhookEndpoint>))
)]
#[get("/webhook-endpoints")]
async fn list_endpoints(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let paging = Paging::<i64>::new(&valid_query(page)?)?;
    let account = user.id();
    let (rows, total) = state
        .db
        .run(move |conn| Ok(EndpointRow::list(conn, account, &paging)?))
        .await?;
    let now = state.clock.now();
    Ok(HttpResponse::Ok().json(paging.answer(rows, total, |r| r.id, |r| r.to_wire(None, now))))
}

/// Subscribes a URL to your events: those about everything you may see (a partner's include
/// its customers'). The answer holds the signing `secret`, shown this once.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = CreateWebhookEndpoint,
    responses(
        (status = 201, description = "Created, with its `secret`", body = WebhookEndpoint,
            headers(("ETag" = String, description = "Version, for `If-Match`"), ("Location" = String, description = "The endpoint's URL"))),
        (status = 409, description = "`endpoint_limit_reached`: an account has at most 20"),
    )
)]
#[post("/webhook-endpoints")]
async fn create_endpoint(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: Valid<CreateWebhookEndpoint>,
) -> ApiResult<HttpResponse> {
    check_url(&state, &body.0.url).await?;
    let secret = webhooks::new_secret();
    let account_id = user.id();
    let actor = user.actor();
    let clock = state.clock.clone();
    // The secret is kept in the clear anyway (it signs every delivery): a replay may repeat it.
    idempotency::run(
        &state,
        &req,
        KeyOwner::Account(account_id),
        body.0,
        move |conn, body| {
            if EndpointRow::count(conn, account_id)? >= MAX_ENDPOINTS {
                return Err(AppError::new(
                    ErrorCode::EndpointLimitReached,
                    format!("An account has at most {MAX_ENDPOINTS} webhook endpoints."),
                ));
            }
            let now = crate::clock::now();
            let row = EndpointRow::insert(
                conn,
                &NewEndpoint {
                    account_id,
                    url: body.url,
                    description: body.description.map(|d| d.trim().to_owned()),
                    event_types: stored_types(body.event_types.as_deref()),
                    enabled: body.enabled.unwrap_or(true),
                    secret: secret.clone(),
                    created_at: now,
                    updated_at: now,
                },
            )?;
            actor.record(
                conn,
                "webhook_endpoint.create",
                "webhook_endpoint",
                Some(row.id.to_string()),
            )?;
            let location = format!("/api/v1/webhook-endpoints/{}", row.id);
            let wire = row.to_wire(Some(secret), clock.now());
            Ok(Outcome::created(&wire, location)?.etag(&row.etag()))
        },
    )
    .await
}

/// One of your endpoints (without its secret).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "The endpoint", body = WebhookEndpoint,
            headers(("ETag" = String, description = "Version, for `If-Match`"))),
        (status = 404, description = "No such endpoint of yours"),
    )
)]
#[get("/webhook-endpoints/{id}")]
async fn get_endpoint(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let account = user.id();
    let row = state
        .db
        .run(move |conn| Ok(EndpointRow::find(conn, account, id)?))
        .await?;
    Ok(respond(HttpResponse::Ok(), &row, None, state.clock.now()))
}

/// Edits an endpoint. Enabling one the back office switched off clears why it did; events that
/// failed meanwhile can be sent again from its delivery log.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The endpoint's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body = UpdateWebhookEndpoint,
    responses(
        (status = 200, description = "The updated endpoint", body = WebhookEndpoint,
            headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such endpoint of yours"),
        (status = 412, description = "`stale_version`"),
    )
)]
#[patch("/webhook-endpoints/{id}")]
async fn update_endpoint(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    body: Valid<UpdateWebhookEndpoint>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let body = body.0;
    if let Some(url) = &body.url {
        check_url(&state, url).await?;
    }
    let if_match = if_match_of(&req);
    let account = user.id();
    let actor = user.actor();
    let updated = state
        .db
        .transaction(move |conn| {
            let current = EndpointRow::find(conn, account, id)?;
            check_if_match(if_match.as_deref(), &current)?;
            let enabling = body.enabled == Some(true) && !current.enabled;
            let disabling = body.enabled == Some(false) && current.enabled;
            let changes = EndpointChanges {
                url: body.url,
                description: body
                    .description
                    .map(|d| d.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty())),
                event_types: body.event_types.map(|t| stored_types(t.as_deref())),
                enabled: body.enabled,
                disabled_reason: enabling.then_some(None),
                failing_since: enabling.then_some(None),
                ..EndpointChanges::default()
            };
            let updated = EndpointRow::update(conn, id, &changes)?;
            if disabling {
                DeliveryRow::fail_pending(conn, id, "the endpoint is disabled")?;
            }
            actor.record(
                conn,
                "webhook_endpoint.update",
                "webhook_endpoint",
                Some(id.to_string()),
            )?;
            Ok(updated)
        })
        .await?;
    Ok(respond(
        HttpResponse::Ok(),
        &updated,
        None,
        state.clock.now(),
    ))
}

/// Deletes an endpoint and its delivery log; nothing more is sent to it.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The endpoint's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such endpoint of yours"),
        (status = 412, description = "`stale_version`"),
    )
)]
#[delete("/webhook-endpoints/{id}")]
async fn delete_endpoint(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let if_match = if_match_of(&req);
    let account = user.id();
    let actor = user.actor();
    state
        .db
        .transaction(move |conn| {
            let current = EndpointRow::find(conn, account, id)?;
            check_if_match(if_match.as_deref(), &current)?;
            actor.record(
                conn,
                "webhook_endpoint.delete",
                "webhook_endpoint",
                Some(id.to_string()),
            )?;
            Ok(EndpointRow::delete(conn, id)?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replaces the signing secret; the answer holds the new one, shown this once. For 24 hours
/// events carry two signatures, with the new secret and the previous one, so that receivers
/// can switch without losing an event.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "The endpoint with its new `secret`", body = WebhookEndpoint,
            headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such endpoint of yours"),
    )
)]
#[post("/webhook-endpoints/{id}/rotate-secret")]
async fn rotate_secret(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let account = user.id();
    let actor = user.actor();
    let secret = webhooks::new_secret();
    let stored = secret.clone();
    let now = state.clock.now();
    let updated = state
        .db
        .transaction(move |conn| {
            let current = EndpointRow::find(conn, account, id)?;
            let changes = EndpointChanges {
                secret: Some(stored),
                previous_secret: Some(Some(current.secret)),
                previous_secret_expires_at: Some(Some(
                    now + chrono::Duration::hours(ROTATION_OVERLAP_HOURS),
                )),
                ..EndpointChanges::default()
            };
            let updated = EndpointRow::update(conn, id, &changes)?;
            actor.record(
                conn,
                "webhook_endpoint.rotate_secret",
                "webhook_endpoint",
                Some(id.to_string()),
            )?;
            Ok(updated)
        })
        .await?;
    Ok(respond(HttpResponse::Ok(), &updated, Some(secret), now))
}

/// Sends a `webhook.test` event to this endpoint (whatever types it subscribes); the answer is
/// its delivery, which the log then shows succeed or fail.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The endpoint's id")),
    responses(
        (status = 202, description = "Queued", body = WebhookDelivery),
        (status = 404, description = "No such endpoint of yours"),
        (status = 409, description = "`endpoint_disabled`: enable it first"),
    )
)]
#[post("/webhook-endpoints/{id}/test")]
async fn send_test(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let account = user.id();
    let delivery = state
        .db
        .transaction(move |conn| {
            let endpoint = enabled(EndpointRow::find(conn, account, id)?)?;
            let delivery = webhooks::queue_test(conn, &endpoint)?;
            one_delivery(conn, id, delivery)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(delivery))
}

fn enabled(endpoint: EndpointRow) -> AppResult<EndpointRow> {
    if endpoint.enabled {
        Ok(endpoint)
    } else {
        Err(AppError::new(
            ErrorCode::EndpointDisabled,
            "The endpoint is disabled: enable it first.",
        ))
    }
}
