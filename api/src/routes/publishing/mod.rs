//! "Publish app": an app's publish requests and store status (`/apps/{id}/publish-requests…`,
//! `/apps/{id}/publishing`); the review queue is in [`super::publish_queue`].

use crate::routes::{tagged, Register};
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use types::publishing::{
    AppPublishing, CancelPublishRequest, CreatePublishRequest, PublishFilter, PublishRequest,
    StoreStatus, SubmitPublishRequest, UpdatePublishRequest,
};
use types::webhooks::WebhookEventType as Event;
use types::{Page, PageQuery};

use crate::auth::AuthUser;
use crate::db::page::Paging;
use crate::db::publishing::PublishRow;
use crate::db::{parse_id, DbConn};
use crate::error::{ApiResult, AppError, AppResult};
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::policy::Scope;
use crate::publishing::{self};
use crate::routes::{if_match_of, valid_query, Valid};
use crate::state::AppState;

mod moves;
use moves::*;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(create_request)
        .service(list_app_requests)
        .service(get_app_request)
        .service(update_request)
        .service(submit_request)
        .service(cancel_request)
        .service(app_publishing);
}

/// One page of requests in their wire form.
pub(crate) fn page_of(
    conn: &mut DbConn,
    scope: Scope,
    filter: &PublishFilter,
    paging: &Paging<(NaiveDateTime, i64)>,
    (alert_hours, now): (i64, NaiveDateTime),
) -> AppResult<Page<PublishRequest>> {
    let hours = match (filter.overdue, filter.waiting_hours) {
        (Some(true), _) => Some(alert_hours),
        (_, Some(hours)) => Some(hours),
        _ => None,
    };
    let since = hours.map(|h| now - chrono::Duration::hours(h));
    let (rows, total) = PublishRow::list(conn, scope, filter, since, paging)?;
    let wire = publishing::to_wire(conn, &rows, false, (alert_hours, now))?;
    let items: Vec<_> = rows.iter().map(PublishRow::key).zip(wire).collect();
    Ok(paging.answer(items, total, |(key, _)| *key, |(_, w)| w.clone()))
}

/// Asks for a version of the app to be published on one store: a `draft` to complete and
/// submit. The version must be newer than the one live on that store; assets named in the
/// listing must be the app's uploads.
#[utoipa::path(
    tag = "publishing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id")),
    request_body = CreatePublishRequest,
    responses(
        (status = 201, description = "Created (a draft)", body = PublishRequest,
            headers(("ETag" = String, description = "Version, for `If-Match`"))),
        (status = 404, description = "No such app of yours"),
        (status = 422, description = "`validation_failed`: a field, an older version than the live one, an asset not of this app, a release note too long for the store"),
    )
)]
#[post("/apps/{id}/publish-requests")]
async fn create_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Valid<CreatePublishRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let now = state.clock.now();
    let alert = state.settings.publish_alert_hours;
    let owner = KeyOwner::Account(user.id());
    idempotency::run(&state, &req, owner, body.0, move |conn, b| {
        let (app, _) = user.scope().find_app(conn, id)?;
        let (req_id, etag, wire) =
            publishing::create(conn, (&app, &user.actor()), b, (alert, now))?;
        let location = format!("/api/v1/apps/{id}/publish-requests/{req_id}");
        Ok(Outcome::created(&wire, location)?.etag(&etag))
    })
    .await
}

/// The app's publish requests, newest first, with filters. Page by `cursor` for any depth.
#[utoipa::path(
    tag = "publishing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id"), PageQuery, PublishFilter),
    responses(
        (status = 200, description = "One page of requests", body = Page<PublishRequest>),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}/publish-requests")]
async fn list_app_requests(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    page: web::Query<PageQuery>,
    filter: web::Query<PublishFilter>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let mut filter = valid_query(filter)?;
    let paging = Paging::<(NaiveDateTime, i64)>::new(&valid_query(page)?)?;
    let alert = (state.settings.publish_alert_hours, state.clock.now());
    let page = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            filter.app_id = Some(app.id.to_string());
            page_of(conn, Scope::All, &filter, &paging, alert)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One of the app's requests with its timeline.
#[utoipa::path(
    tag = "publishing",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("req_id" = String, Path, description = "The request's id"),
    ),
    responses(
        (status = 200, description = "The request", body = PublishRequest,
            headers(("ETag" = String, description = "Version"))),
        (status = 404, description = "No such request in an app of yours"),
    )
)]
#[get("/apps/{id}/publish-requests/{req_id}")]
async fn get_app_request(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, req_id) = (parse_id(&path.0)?, parse_id(&path.1)?);
    let alert = (state.settings.publish_alert_hours, state.clock.now());
    let found = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            let row = PublishRow::find(conn, Scope::All, req_id)?;
            if row.app_id != app.id {
                return Err(AppError::not_found());
            }
            publishing::detail(conn, &row, alert)
        })
        .await?;
    Ok(tagged(found))
}

/// Runs `f` on the app's request `req_id`, locked, in a transaction; answers it with its ETag.
async fn act<F>(
    state: &web::Data<AppState>,
    user: AuthUser,
    (id, req_id): (&str, &str),
    f: F,
) -> ApiResult<HttpResponse>
where
    F: FnOnce(&mut DbConn, &AuthUser, &PublishRow, NaiveDateTime) -> AppResult<PublishRow>
        + Send
        + 'static,
{
    let (id, req_id) = (parse_id(id)?, parse_id(req_id)?);
    let now = state.clock.now();
    let alert = state.settings.publish_alert_hours;
    let done = state
        .db
        .transaction(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            let row = PublishRow::lock(conn, app.id, req_id)?;
            let row = f(conn, &user, &row, now)?;
            publishing::announce(conn, Event::PublishRequestUpdated, &row, (alert, now))
        })
        .await?;
    Ok(tagged(done))
}

/// Changes a `draft` or `rejected` request (what is left out stays; `listing` is replaced
/// whole). Send the ETag you read in `If-Match`: another change since is 412.
#[utoipa::path(
    tag = "publishing",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("req_id" = String, Path, description = "The request's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag read with the request"),
    ),
    request_body = UpdatePublishRequest,
    responses(
        (status = 200, description = "Changed", body = PublishRequest,
            headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such request in an app of yours"),
        (status = 409, description = "`illegal_transition`: only a draft or a rejected request can change"),
        (status = 412, description = "`stale_version`"),
        (status = 422, description = "`validation_failed`"),
    )
)]
#[patch("/apps/{id}/publish-requests/{req_id}")]
async fn update_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Valid<UpdatePublishRequest>,
) -> ApiResult<HttpResponse> {
    let if_match = if_match_of(&req);
    act(
        &state,
        user,
        (&path.0, &path.1),
        move |conn, user, row, now| {
            publishing::update(conn, &user.actor(), (row, if_match.as_deref()), body.0, now)
        },
    )
    .await
}

/// The app on each store: the version live there, the request waiting and for how long, and
/// whether the app's subscription lets it submit.
#[utoipa::path(
    tag = "publishing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id")),
    responses(
        (status = 200, description = "Per store", body = AppPublishing),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}/publishing")]
async fn app_publishing(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let (alert_hours, now) = (state.settings.publish_alert_hours, state.clock.now());
    let status = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            let mut stores = Vec::new();
            for &store in types::publishing::Store::ALL {
                let live = PublishRow::live(conn, app.id, store)?;
                let waiting = PublishRow::waiting(conn, app.id, store)?;
                let rows: Vec<PublishRow> = live.iter().chain(waiting.iter()).cloned().collect();
                let mut wire = publishing::to_wire(conn, &rows, false, (alert_hours, now))?;
                let in_flight = waiting.as_ref().and_then(|_| wire.pop());
                let live = live.as_ref().and_then(|_| wire.pop());
                stores.push(StoreStatus {
                    store,
                    live,
                    waiting_hours: waiting
                        .and_then(|w| w.submitted_at)
                        .map(|at| (now - at).num_hours()),
                    in_flight,
                });
            }
            let can_submit = publishing::may_submit(conn, app.id)?;
            Ok(AppPublishing {
                stores,
                can_submit,
                alert_after_hours: alert_hours,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(status))
}
