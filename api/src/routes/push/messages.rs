//! Making, listing and editing push messages: one app's, several apps' at once, the audience a
//! draft would reach.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use types::push::{
    CreatePushMessage, CreatePushMessages, PushFilter, PushKind, PushMessage, PushMessages,
    PushPreview, PushPreviewCount, PushStatus, UpdatePushMessage,
};
use types::webhooks::WebhookEventType as Event;
use types::{Page, PageQuery};

use super::message::*;
use crate::auth::AuthUser;
use crate::db::page::Paging;
use crate::db::parse_id;
use crate::db::push::{Audience, MessageChanges, MessageRow};
use crate::error::{ApiResult, AppError};
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::routes::check_if_match;
use crate::routes::{if_match_of, valid_query, Valid};
use crate::state::AppState;

/// Composes a message: a draft without `send_at` and `local_time`, else scheduled.
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id")),
    request_body = CreatePushMessage,
    responses(
        (status = 201, description = "Created (a draft, or scheduled)", body = PushMessage,
            headers(("ETag" = String, description = "Version, for `If-Match`"))),
        (status = 404, description = "No such app of yours"),
        (status = 422, description = "`validation_failed`: a field; `send_at` in the past"),
    )
)]
#[post("/apps/{id}/push-messages")]
pub(super) async fn create_push_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Valid<CreatePushMessage>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let now = state.clock.now();
    let owner = KeyOwner::Account(user.id());
    let push = state.push.clone();
    let outcome = idempotency::run(&state, &req, owner, body.0, move |conn, body| {
        let (app, _) = user.scope().find_app(conn, id)?;
        let row = MessageRow::insert(conn, &new_message(app.id, &body, Some(user.id()), now)?)?;
        user.actor().record(
            conn,
            "push_message.create",
            "push_message",
            Some(row.id.to_string()),
        )?;
        crate::push::tell(conn, &row, Event::PushMessageCreated)?;
        let (etag, wire) = one(conn, &row)?;
        let location = format!("/api/v1/apps/{id}/push-messages/{}", row.id);
        Ok(Outcome::created(&wire, location)?.etag(&etag))
    })
    .await;
    push.wake.notify_one();
    outcome
}

/// Sends (or schedules) the same message to several of your apps at once: each app gets its
/// own message, with its own report. All or none are made.
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    request_body = CreatePushMessages,
    responses(
        (status = 201, description = "One message per app, in the order of `app_ids`", body = PushMessages),
        (status = 404, description = "An app is not yours"),
        (status = 422, description = "`validation_failed`: a field; the same app twice"),
    )
)]
#[post("/push-messages")]
pub(super) async fn create_push_messages(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: Valid<CreatePushMessages>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let owner = KeyOwner::Account(user.id());
    let push = state.push.clone();
    let outcome = idempotency::run(&state, &req, owner, body.0, move |conn, body| {
        let mut ids = Vec::with_capacity(body.app_ids.len());
        for app_id in &body.app_ids {
            let id = parse_id(app_id)?;
            if ids.contains(&id) {
                return Err(AppError::invalid_field("app_ids", "names an app twice"));
            }
            ids.push(id);
        }
        let scope = user.scope();
        let mut items = Vec::with_capacity(ids.len());
        for id in ids {
            let (app, _) = scope.find_app(conn, id)?;
            let row = MessageRow::insert(
                conn,
                &new_message(app.id, &body.message, Some(user.id()), now)?,
            )?;
            user.actor().record(
                conn,
                "push_message.create",
                "push_message",
                Some(row.id.to_string()),
            )?;
            crate::push::tell(conn, &row, Event::PushMessageCreated)?;
            items.push(one(conn, &row)?.1);
        }
        Outcome::json(
            actix_web::http::StatusCode::CREATED,
            &PushMessages { items },
        )
    })
    .await;
    push.wake.notify_one();
    outcome
}

/// The app's campaign messages (or, with `kind=order_status`, its order status pushes), newest
/// first.
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id"), PageQuery, PushFilter),
    responses(
        (status = 200, description = "One page of messages", body = Page<PushMessage>),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}/push-messages")]
pub(super) async fn list_push_messages(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    page: web::Query<PageQuery>,
    filter: web::Query<PushFilter>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let filter = filter.into_inner();
    let paging = Paging::<(NaiveDateTime, i64)>::new(&valid_query(page)?)?;
    let page = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            let kind = filter.kind.unwrap_or(PushKind::Campaign);
            let (rows, total) = MessageRow::list(conn, app.id, filter.status, kind, &paging)?;
            let wire = crate::push::to_wire(conn, &rows, false)?;
            let items: Vec<_> = rows
                .iter()
                .map(|r| (r.created_at, r.id))
                .zip(wire)
                .collect();
            Ok(paging.answer(items, total, |(key, _)| *key, |(_, w)| w.clone()))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// How many devices a target reaches now (devices with push on and a live token).
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id")),
    request_body = PushPreview,
    responses(
        (status = 200, description = "The count", body = PushPreviewCount),
        (status = 404, description = "No such app of yours"),
        (status = 422, description = "`validation_failed`"),
    )
)]
#[post("/apps/{id}/push-messages/preview")]
pub(super) async fn preview_push_audience(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Valid<PushPreview>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let now = state.clock.now();
    let targeted = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            Ok(Audience::resolve(conn, app.id, body.0.target.as_ref(), now)?.count(conn)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(PushPreviewCount { targeted }))
}

/// One message with its report: figures, failures by reason, sent and opened per hour.
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("msg_id" = String, Path, description = "The message's id"),
    ),
    responses(
        (status = 200, description = "The message", body = PushMessage,
            headers(("ETag" = String, description = "Version"))),
        (status = 404, description = "No such message in an app of yours"),
    )
)]
#[get("/apps/{id}/push-messages/{msg_id}")]
pub(super) async fn get_push_message(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (app_id, msg_id) = (parse_id(&path.0)?, parse_id(&path.1)?);
    // A read: no write transaction (on SQLite that would queue behind every writer).
    let found = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, app_id)?;
            let row = MessageRow::find(conn, app.id, msg_id)?;
            one(conn, &row)
        })
        .await?;
    Ok(crate::routes::tagged(found))
}

/// Edits a draft or scheduled message. Giving it `send_at` or `local_time` schedules it;
/// clearing both makes it a draft again.
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("msg_id" = String, Path, description = "The message's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag read; 412 when it changed since"),
    ),
    request_body = UpdatePushMessage,
    responses(
        (status = 200, description = "The message", body = PushMessage,
            headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such message in an app of yours"),
        (status = 409, description = "`illegal_transition`: it is sending or done"),
        (status = 412, description = "`stale_version`"),
        (status = 422, description = "`validation_failed`"),
    )
)]
#[patch("/apps/{id}/push-messages/{msg_id}")]
pub(super) async fn update_push_message(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Valid<UpdatePushMessage>,
) -> ApiResult<HttpResponse> {
    let if_match = if_match_of(&req);
    let body = body.0;
    let wake = state.push.clone();
    let found = with_message(
        &state,
        user,
        (&path.0, &path.1),
        move |conn, user, row, now| {
            check_if_match(if_match.as_deref(), &row)?;
            if !row.status.editable() {
                return Err(illegal(row.status, "edited"));
            }
            let send_at = match body.send_at {
                Some(Some(at)) => Some(Some(schedule_time(at, now)?)),
                Some(None) => Some(None),
                None => None,
            };
            let local_time = body.local_time.clone();
            // A local-time message got its start (`send_at`) from its creation: clearing the
            // local time without giving a time makes it a draft, not a message sent at once.
            let send_at = match (&local_time, send_at, &row.local_time) {
                (Some(None), None, Some(_)) => Some(None),
                (_, send_at, _) => send_at,
            };
            let will_send_at = send_at.unwrap_or(row.send_at);
            let will_local = local_time.clone().unwrap_or(row.local_time.clone());
            let (status, send_at) = match (will_send_at, &will_local) {
                (None, None) => (PushStatus::Draft, send_at),
                (None, Some(_)) => (PushStatus::Scheduled, Some(Some(now))),
                (Some(_), _) => (PushStatus::Scheduled, send_at),
            };
            let changes = MessageChanges {
                title: body.title.map(|t| t.trim().to_owned()),
                body: body.body.map(|b| b.trim().to_owned()),
                deep_link: body.deep_link,
                image_url: body.image_url,
                data: body
                    .data
                    .map(|d| d.as_ref().map(json_text).transpose())
                    .transpose()?,
                target: body
                    .target
                    .map(|t| t.as_ref().map(json_text).transpose())
                    .transpose()?,
                status: Some(status.as_str()),
                send_at,
                local_time,
            };
            let row = MessageRow::update(conn, &row, &changes)?;
            user.actor().record(
                conn,
                "push_message.update",
                "push_message",
                Some(row.id.to_string()),
            )?;
            crate::push::tell(conn, &row, Event::PushMessageUpdated)?;
            one(conn, &row)
        },
    )
    .await?;
    wake.wake.notify_one();
    Ok(crate::routes::tagged(found))
}

/// Deletes a draft or scheduled message (a message that went out stays, with its report).
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("msg_id" = String, Path, description = "The message's id"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such message in an app of yours"),
        (status = 409, description = "`illegal_transition`: it is sending or done (cancel it instead)"),
    )
)]
#[delete("/apps/{id}/push-messages/{msg_id}")]
pub(super) async fn delete_push_message(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    with_message(&state, user, (&path.0, &path.1), |conn, user, row, _| {
        if !row.status.editable() {
            return Err(illegal(row.status, "deleted"));
        }
        MessageRow::delete(conn, row.id)?;
        Ok(user.actor().record(
            conn,
            "push_message.delete",
            "push_message",
            Some(row.id.to_string()),
        )?)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
