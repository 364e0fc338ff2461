//! Sending a push message now or at its time, cancelling it, and a test to one device.

use actix_web::{post, web, HttpResponse};
use types::push::{PushMessage, PushStatus, TestPush, TestPushResult};
use types::webhooks::WebhookEventType as Event;

use super::message::*;
use crate::auth::AuthUser;
use crate::db::push::{MessageChanges, MessageRow, SettingsRow};
use crate::db::schema::devices;
use crate::error::{ApiResult, AppError};
use crate::push::gateway::{Content, Outcome as Sent};
use crate::push::Push;
use crate::routes::Valid;
use crate::state::AppState;

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
pub(super) async fn send_push_message(
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
    Ok(crate::routes::tagged(found))
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
pub(super) async fn cancel_push_message(
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
    Ok(crate::routes::tagged(found))
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
pub(super) async fn test_push_message(
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
