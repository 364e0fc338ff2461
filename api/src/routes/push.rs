//! Push messages of an app (`/apps/{id}/push-messages…`), the same message to several apps
//! (`/push-messages`), and each app's push settings (`/apps/{id}/push-settings`).

use actix_web::{delete, get, patch, post, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use types::push::{
    CreatePushMessage, CreatePushMessages, PushFilter, PushKind, PushMessage, PushMessages,
    PushPreview, PushPreviewCount, PushSettings, PushStatus, TestPush, TestPushResult,
    UpdatePushMessage, UpdatePushSettings,
};
use types::webhooks::WebhookEventType as Event;
use types::{Page, PageQuery};

use crate::auth::AuthUser;
use crate::db::page::Paging;
use crate::db::push::{Audience, MessageChanges, MessageRow, NewMessage, SettingsRow};
use crate::db::schema::devices;
use crate::db::{micros, parse_id, DbConn};
use crate::error::{ApiError, ApiResult, AppError, AppResult};
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::push::gateway::{self, Content, Outcome as Sent, ServiceAccount};
use crate::push::Push;
use crate::routes::{check_etag, if_match_of, json_with_etag, valid_query, Register, Valid};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(create_push_message)
        .service(create_push_messages)
        .service(list_push_messages)
        .service(preview_push_audience)
        .service(get_push_message)
        .service(update_push_message)
        .service(delete_push_message)
        .service(send_push_message)
        .service(cancel_push_message)
        .service(test_push_message)
        .service(get_push_settings)
        .service(update_push_settings);
}

/// How far ahead a message may be scheduled.
const LONGEST_SCHEDULE_DAYS: i64 = 365;

fn json_text<T: serde::Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(AppError::internal)
}

/// A `send_at` a client sent: in the future, within a year; cut to microseconds.
fn schedule_time(
    at: chrono::DateTime<chrono::Utc>,
    now: NaiveDateTime,
) -> AppResult<NaiveDateTime> {
    let at = micros(at.naive_utc());
    if at <= now {
        return Err(AppError::invalid_field("send_at", "must be in the future"));
    }
    if at > now + chrono::Duration::days(LONGEST_SCHEDULE_DAYS) {
        return Err(AppError::invalid_field("send_at", "must be within a year"));
    }
    Ok(at)
}

/// A new message's row: a draft, or scheduled when it has a time.
fn new_message(
    app_id: i64,
    body: &CreatePushMessage,
    created_by: Option<i64>,
    now: NaiveDateTime,
) -> AppResult<NewMessage> {
    let send_at = body.send_at.map(|at| schedule_time(at, now)).transpose()?;
    let scheduled = send_at.is_some() || body.local_time.is_some();
    Ok(NewMessage {
        app_id,
        kind: PushKind::Campaign.as_str(),
        title: body.title.trim().to_owned(),
        body: body.body.trim().to_owned(),
        deep_link: body.deep_link.clone(),
        image_url: body.image_url.clone(),
        data: body.data.as_ref().map(json_text).transpose()?,
        target: body.target.as_ref().map(json_text).transpose()?,
        status: if scheduled {
            PushStatus::Scheduled.as_str()
        } else {
            PushStatus::Draft.as_str()
        },
        // A local-time message starts at once when no date is given: each device's delivery
        // waits for its own local time.
        send_at: if body.local_time.is_some() {
            Some(send_at.unwrap_or(now))
        } else {
            send_at
        },
        local_time: body.local_time.clone(),
        created_by,
        created_at: now,
        updated_at: now,
    })
}

fn one(conn: &mut DbConn, row: &MessageRow) -> AppResult<(String, PushMessage)> {
    let wire = crate::push::to_wire(conn, std::slice::from_ref(row), true)?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("push message vanished")))?;
    Ok((row.etag(), wire))
}

fn illegal(status: PushStatus, doing: &str) -> AppError {
    AppError::conflict(
        "illegal_transition",
        format!("A {} message cannot be {doing}.", status.as_str()),
    )
}

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
async fn create_push_message(
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
async fn create_push_messages(
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
async fn list_push_messages(
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
async fn preview_push_audience(
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

/// Runs `f` on the app's message in a transaction; 404 for another app's or another tenant's.
async fn with_message<T, F>(
    state: &AppState,
    user: AuthUser,
    (app_id, msg_id): (&str, &str),
    f: F,
) -> ApiResult<T>
where
    F: FnOnce(&mut DbConn, &AuthUser, MessageRow, NaiveDateTime) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    let (app_id, msg_id) = (parse_id(app_id)?, parse_id(msg_id)?);
    let now = state.clock.now();
    Ok(state
        .db
        .transaction(move |conn| {
            let (app, _) = user.scope().find_app(conn, app_id)?;
            let row = MessageRow::find(conn, app.id, msg_id)?;
            f(conn, &user, row, now)
        })
        .await?)
}

fn respond((etag, wire): (String, PushMessage)) -> HttpResponse {
    json_with_etag(HttpResponse::Ok(), &etag, &wire)
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
async fn get_push_message(
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
    Ok(respond(found))
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
        (status = 412, description = "`precondition_failed`"),
        (status = 422, description = "`validation_failed`"),
    )
)]
#[patch("/apps/{id}/push-messages/{msg_id}")]
async fn update_push_message(
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
            check_etag(if_match.as_deref(), &row.etag())?;
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
    Ok(respond(found))
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
async fn delete_push_message(
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

/// Sends a draft or scheduled message now (a local-time message starts waiting for each
/// device's local time now).
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("msg_id" = String, Path, description = "The message's id"),
    ),
    responses(
        (status = 200, description = "The message, sending", body = PushMessage),
        (status = 404, description = "No such message in an app of yours"),
        (status = 409, description = "`illegal_transition`: it is already sending or done"),
    )
)]
#[post("/apps/{id}/push-messages/{msg_id}/send")]
async fn send_push_message(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let found = with_message(&state, user, (&path.0, &path.1), |conn, user, row, now| {
        if !row.status.editable() {
            return Err(illegal(row.status, "sent again"));
        }
        let changes = MessageChanges {
            send_at: Some(Some(now)),
            ..MessageChanges::default()
        };
        MessageRow::update(conn, &row, &changes)?;
        MessageRow::transition(
            conn,
            row.id,
            &[PushStatus::Draft, PushStatus::Scheduled],
            PushStatus::Sending,
            now,
        )?;
        user.actor().record(
            conn,
            "push_message.send",
            "push_message",
            Some(row.id.to_string()),
        )?;
        let row = MessageRow::find(conn, row.app_id, row.id)?;
        crate::push::tell(conn, &row, Event::PushMessageUpdated)?;
        one(conn, &row)
    })
    .await?;
    state.push.wake.notify_one();
    Ok(respond(found))
}

/// Cancels a message: a draft or scheduled one never goes; a sending one stops (deliveries
/// already handed to a provider are not called back).
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("msg_id" = String, Path, description = "The message's id"),
    ),
    responses(
        (status = 200, description = "The message, canceled", body = PushMessage),
        (status = 404, description = "No such message in an app of yours"),
        (status = 409, description = "`illegal_transition`: it is already sent, failed or canceled"),
    )
)]
#[post("/apps/{id}/push-messages/{msg_id}/cancel")]
async fn cancel_push_message(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let found = with_message(&state, user, (&path.0, &path.1), |conn, user, row, now| {
        let from = [
            PushStatus::Draft,
            PushStatus::Scheduled,
            PushStatus::Sending,
        ];
        if !MessageRow::transition(conn, row.id, &from, PushStatus::Canceled, now)? {
            return Err(illegal(row.status, "canceled"));
        }
        MessageRow::cancel_pending(conn, row.id)?;
        user.actor().record(
            conn,
            "push_message.cancel",
            "push_message",
            Some(row.id.to_string()),
        )?;
        let row = MessageRow::find(conn, row.app_id, row.id)?;
        crate::push::tell(conn, &row, Event::PushMessageUpdated)?;
        one(conn, &row)
    })
    .await?;
    Ok(respond(found))
}

/// Sends the message to one device of the app now, whatever the message's state and target;
/// answers what the provider said. Not counted in the message's figures.
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("msg_id" = String, Path, description = "The message's id"),
    ),
    request_body = TestPush,
    responses(
        (status = 200, description = "What the provider said", body = TestPushResult),
        (status = 404, description = "No such message in an app of yours"),
        (status = 422, description = "`validation_failed`: no such device, or it has no push token"),
    )
)]
#[post("/apps/{id}/push-messages/{msg_id}/test")]
async fn test_push_message(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Valid<TestPush>,
) -> ApiResult<HttpResponse> {
    use diesel::prelude::*;
    let installation = body.0.installation_id;
    let (row, device, settings) = with_message(
        &state,
        user,
        (&path.0, &path.1),
        move |conn, user, row, _| {
            let device: Option<(i64, String, Option<String>)> = devices::table
                .filter(devices::app_id.eq(row.app_id))
                .filter(devices::installation_id.eq(&installation))
                .select((devices::id, devices::platform, devices::push_token))
                .first(conn)
                .optional()?;
            let Some(device) = device else {
                return Err(AppError::invalid_field(
                    "installation_id",
                    "is not a device of this app",
                ));
            };
            if device.2.is_none() {
                return Err(AppError::invalid_field(
                    "installation_id",
                    "has no push token (push is off on it)",
                ));
            }
            let settings = SettingsRow::of(conn, row.app_id)?;
            user.actor().record(
                conn,
                "push_message.test",
                "push_message",
                Some(row.id.to_string()),
            )?;
            Ok((row, device, settings))
        },
    )
    .await?;
    let push: &Push = &state.push;
    let credentials = push.credentials(&settings);
    let platform = device.1.parse().ok();
    let content = Content {
        message_id: row.id,
        title: row.title.clone(),
        body: row.body.clone(),
        deep_link: row.deep_link.clone(),
        image_url: row.image_url.clone(),
        data: row.data().unwrap_or_default(),
    };
    let token = device.2.unwrap_or_default();
    let outcome = push
        .gateways
        .send(platform, &token, &credentials, &content)
        .await;
    let gateway = push.gateways.name(platform, &credentials).to_owned();
    let result = match outcome {
        Sent::Sent => TestPushResult {
            delivered: true,
            gateway,
            reason: None,
            error: None,
        },
        Sent::Dead { reason, detail } => {
            let device_id = device.0;
            state
                .db
                .run(move |conn| Ok(crate::db::push::bury_tokens(conn, &[device_id])?))
                .await?;
            TestPushResult {
                delivered: false,
                gateway,
                reason: Some(reason.to_owned()),
                error: Some(detail),
            }
        }
        Sent::Retry { reason, detail, .. } | Sent::Failed { reason, detail } => TestPushResult {
            delivered: false,
            gateway,
            reason: Some(reason.to_owned()),
            error: Some(detail),
        },
    };
    Ok(HttpResponse::Ok().json(result))
}

/// The app's push settings: which providers are configured (never their keys), quiet hours,
/// the daily cap, order status pushes.
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id")),
    responses(
        (status = 200, description = "The settings", body = PushSettings,
            headers(("ETag" = String, description = "Version, for `If-Match`"))),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}/push-settings")]
async fn get_push_settings(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let row = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            Ok(SettingsRow::of(conn, app.id)?)
        })
        .await?;
    let wire = state.push.settings_wire(&row);
    Ok(json_with_etag(HttpResponse::Ok(), &row.etag(), &wire))
}

/// Replaces the app's push settings. Credentials: absent keeps them, `null` removes them, a
/// value replaces them (checked, then stored encrypted).
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag read; 412 when it changed since"),
    ),
    request_body = UpdatePushSettings,
    responses(
        (status = 200, description = "The settings", body = PushSettings,
            headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such app of yours"),
        (status = 412, description = "`precondition_failed`"),
        (status = 422, description = "`validation_failed`: a field; a key file that does not read"),
    )
)]
#[put("/apps/{id}/push-settings")]
async fn update_push_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Valid<UpdatePushSettings>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let if_match = if_match_of(&req);
    let body = body.0;
    // Keys are checked before the transaction (parsing an RSA key takes a moment).
    let fcm = match &body.fcm_service_account {
        Some(Some(json)) => Some(Some((
            ServiceAccount::parse(json)
                .map_err(|m| AppError::invalid_field("fcm_service_account", m))?,
            json.clone(),
        ))),
        Some(None) => Some(None),
        None => None,
    };
    if let Some(Some(apns)) = &body.apns {
        gateway::check_apns_key(&apns.private_key)
            .map_err(|m| AppError::invalid_field("apns.private_key", m))?;
    }
    let quiet = match &body.quiet_hours {
        Some(q) => {
            let start = types::push::parse_time_of_day(&q.start);
            let end = types::push::parse_time_of_day(&q.end);
            if start == end {
                return Err(ApiError(AppError::invalid_field(
                    "quiet_hours.end",
                    "must differ from the start",
                )));
            }
            start.zip(end)
        }
        None => None,
    };
    let push = state.push.clone();
    let now = state.clock.now();
    let row = state
        .db
        .transaction(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            let mut row = SettingsRow::of(conn, app.id)?;
            check_etag(if_match.as_deref(), &row.etag())?;
            match fcm {
                Some(Some((account, json))) => {
                    row.fcm_credentials = Some(push.sealer.seal(app.id, &json));
                    row.fcm_project_id = Some(account.project_id);
                    row.fcm_client_email = Some(account.client_email);
                    row.fcm_key_id = Some(account.private_key_id);
                }
                Some(None) => {
                    row.fcm_credentials = None;
                    row.fcm_project_id = None;
                    row.fcm_client_email = None;
                    row.fcm_key_id = None;
                }
                None => {}
            }
            match body.apns {
                Some(Some(apns)) => {
                    row.apns_credentials = Some(push.sealer.seal(app.id, &apns.private_key));
                    row.apns_key_id = Some(apns.key_id);
                    row.apns_team_id = Some(apns.team_id);
                    row.apns_topic = Some(apns.topic);
                    row.apns_environment = Some(apns.environment.as_str().to_owned());
                }
                Some(None) => {
                    row.apns_credentials = None;
                    row.apns_key_id = None;
                    row.apns_team_id = None;
                    row.apns_topic = None;
                    row.apns_environment = None;
                }
                None => {}
            }
            row.quiet_start = quiet.map(|q| q.0);
            row.quiet_end = quiet.map(|q| q.1);
            row.daily_cap = body.daily_cap;
            let order = body.order_status;
            row.order_status_enabled = order.as_ref().is_some_and(|o| o.enabled);
            row.order_status_template = order.map(|o| o.template.trim().to_owned());
            row.updated_at = now;
            let row = row.save(conn)?;
            user.actor().record(
                conn,
                "push_settings.update",
                "app",
                Some(app.id.to_string()),
            )?;
            Ok(row)
        })
        .await?;
    let wire = state.push.settings_wire(&row);
    Ok(json_with_etag(HttpResponse::Ok(), &row.etag(), &wire))
}
