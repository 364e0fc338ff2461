//! One push message as the routes read, check and answer it: its wire form and `ETag`, its
//! schedule, the message a create makes.

use chrono::NaiveDateTime;
use types::push::{CreatePushMessage, PushKind, PushMessage, PushStatus};
use types::ErrorCode;

use crate::auth::AuthUser;
use crate::db::push::{MessageRow, NewMessage};
use crate::db::{micros, parse_id, DbConn};
use crate::error::{ApiResult, AppError, AppResult};
use crate::routes::Versioned;
use crate::state::AppState;

/// How far ahead a message may be scheduled.
pub(super) const LONGEST_SCHEDULE_DAYS: i64 = 365;

pub(super) fn json_text<T: serde::Serialize>(value: &T) -> AppResult<String> {
    serde_json::to_string(value).map_err(AppError::internal)
}

/// A `send_at` a client sent: in the future, within a year; cut to microseconds.
pub(super) fn schedule_time(
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
pub(super) fn new_message(
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

pub(super) fn one(conn: &mut DbConn, row: &MessageRow) -> AppResult<(String, PushMessage)> {
    let wire = crate::push::to_wire(conn, std::slice::from_ref(row), true)?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("push message vanished")))?;
    Ok((row.etag(), wire))
}

pub(super) fn illegal(status: PushStatus, doing: &str) -> AppError {
    AppError::new(
        ErrorCode::IllegalTransition,
        format!("A {} message cannot be {doing}.", status.as_str()),
    )
}

/// Runs `f` on the app's message in a transaction; 404 for another app's or another tenant's.
pub(super) async fn with_message<T, F>(
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
