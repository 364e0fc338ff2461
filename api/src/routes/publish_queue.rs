//! The review queue (`/publish-requests…`): everyone reads the requests within reach;
//! administrators move them along.

use crate::routes::Register;
use actix_web::{get, patch, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use types::publishing::{PublishFilter, PublishRequest, ReviewPublishRequest};
use types::{Page, PageQuery};

use crate::auth::{Admin, AuthUser};
use crate::db::page::Paging;
use crate::db::parse_id;
use crate::db::publishing::PublishRow;
use crate::error::ApiResult;
use crate::policy::Scope;
use crate::publishing;
use crate::routes::check_if_match;
use crate::routes::publishing::page_of;
use crate::routes::tagged;
use crate::routes::{if_match_of, valid_query, Valid};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_requests)
        .service(get_request)
        .service(review_request);
}

/// The publish requests within reach, newest first: for administrators the review queue (all
/// apps), for others their apps'. `overdue=true` keeps those waiting longer than the alert time.
#[utoipa::path(
    tag = "publishing",
    security(("bearer" = [])),
    params(PageQuery, PublishFilter),
    responses((status = 200, description = "One page of requests", body = Page<PublishRequest>))
)]
#[get("/publish-requests")]
async fn list_requests(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageQuery>,
    filter: web::Query<PublishFilter>,
) -> ApiResult<HttpResponse> {
    let filter = valid_query(filter)?;
    let paging = Paging::<(NaiveDateTime, i64)>::new(&valid_query(page)?)?;
    let alert = (state.settings.publish_alert_hours, state.clock.now());
    let page = state
        .db
        .run(move |conn| page_of(conn, user.scope(), &filter, &paging, alert))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One request within reach, with its timeline.
#[utoipa::path(
    tag = "publishing",
    security(("bearer" = [])),
    params(("req_id" = String, Path, description = "The request's id")),
    responses(
        (status = 200, description = "The request", body = PublishRequest,
            headers(("ETag" = String, description = "Version"))),
        (status = 404, description = "No such request within reach"),
    )
)]
#[get("/publish-requests/{req_id}")]
async fn get_request(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let req_id = parse_id(&path)?;
    let alert = (state.settings.publish_alert_hours, state.clock.now());
    let found = state
        .db
        .run(move |conn| {
            let row = PublishRow::find(conn, user.scope(), req_id)?;
            publishing::detail(conn, &row, alert)
        })
        .await?;
    Ok(tagged(found))
}

/// Records what the store did (administrators): `submitted` → `in_review` → `published` /
/// `rejected` (`submitted` → `rejected` too), with a note (a rejection needs the store's reason).
/// Any other move is 409 `illegal_transition`. The owner is emailed.
#[utoipa::path(
    tag = "publishing",
    security(("bearer" = [])),
    params(
        ("req_id" = String, Path, description = "The request's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag read with the request"),
    ),
    request_body = ReviewPublishRequest,
    responses(
        (status = 200, description = "Moved", body = PublishRequest,
            headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "`admin_only`"),
        (status = 404, description = "No such request"),
        (status = 409, description = "`illegal_transition`"),
        (status = 412, description = "`stale_version`"),
        (status = 422, description = "`validation_failed`: a rejection without its `note`"),
    )
)]
#[patch("/publish-requests/{req_id}")]
async fn review_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(user): Admin,
    path: web::Path<String>,
    body: Valid<ReviewPublishRequest>,
) -> ApiResult<HttpResponse> {
    let req_id = parse_id(&path)?;
    let if_match = if_match_of(&req);
    let (alert_hours, now) = (state.settings.publish_alert_hours, state.clock.now());
    let mailer = state.mailer.clone();
    let done = state
        .db
        .transaction(move |conn| {
            let found = PublishRow::find(conn, Scope::All, req_id)?;
            let row = PublishRow::lock(conn, found.app_id, req_id)?;
            check_if_match(if_match.as_deref(), &row)?;
            let row = publishing::review(conn, &mailer, &row, &body.0, &user.actor(), now)?;
            let event = types::webhooks::WebhookEventType::PublishRequestUpdated;
            publishing::announce(conn, event, &row, (alert_hours, now))
        })
        .await?;
    Ok(tagged(done))
}
