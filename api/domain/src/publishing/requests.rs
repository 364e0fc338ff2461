//! A publish request made, edited and announced: its wire form with its version, and the webhook
//! event every change raises (`publish_request.created`, `publish_request.updated`).

use chrono::NaiveDateTime;
use types::publishing::{
    CreatePublishRequest, PublishRequest, PublishStatus, UpdatePublishRequest,
};
use types::webhooks::WebhookEventType as Event;
use types::ErrorCode;

use super::{check_content, check_version, to_wire, Content};
use crate::db::apps::AppRow;
use crate::db::audit::Actor;
use crate::db::publishing::{NewPublish, PublishChanges, PublishRow};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::versions::{check_if_match, Versioned};

/// How long a request may wait for review before it is overdue, and the time it is now.
pub type Alert = (i64, NaiveDateTime);

/// The wire form of one request (with its timeline) and its ETag.
pub fn detail(
    conn: &mut DbConn,
    row: &PublishRow,
    alert: Alert,
) -> AppResult<(String, PublishRequest)> {
    let wire = to_wire(conn, std::slice::from_ref(row), true, alert)?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("publish request vanished")))?;
    Ok((row.etag(), wire))
}

/// Tells the webhooks of the app's owner (and its partner) that the request `row` changed, and
/// answers its wire form.
pub fn announce(
    conn: &mut DbConn,
    event: Event,
    row: &PublishRow,
    alert: Alert,
) -> AppResult<(String, PublishRequest)> {
    let (app, _) = AppRow::find_with_owner(conn, row.app_id)?.ok_or_else(AppError::not_found)?;
    let done = detail(conn, row, alert)?;
    crate::webhooks::emit(conn, app.owner_id, event, &done.1)?;
    Ok(done)
}

/// Makes a draft request for `app` from `body`: its version newer than the live one, its assets
/// the app's own.
pub fn create(
    conn: &mut DbConn,
    (app, actor): (&AppRow, &Actor),
    body: CreatePublishRequest,
    alert: Alert,
) -> AppResult<(i64, String, PublishRequest)> {
    let now = alert.1;
    let content = Content {
        release_notes: body.release_notes,
        listing: body.listing,
    };
    check_content(conn, app.id, body.store, &content)?;
    check_version(
        conn,
        app.id,
        body.store,
        (&body.version_name, body.build_number),
    )?;
    let row = PublishRow::insert(
        conn,
        &NewPublish {
            app_id: app.id,
            store: body.store.as_str(),
            version_name: body.version_name,
            build_number: body.build_number,
            release_notes: Content::notes_json(&content.release_notes)?,
            listing: Content::listing_json(&content.listing)?,
            status: PublishStatus::Draft.as_str(),
            created_by: actor.account_id,
            created_at: now,
            updated_at: now,
        },
    )?;
    row.record(conn, None, actor.email(), now)?;
    let id = Some(row.id.to_string());
    actor.record(conn, "publish_request.created", "publish_request", id)?;
    let (etag, wire) = announce(conn, Event::PublishRequestCreated, &row, alert)?;
    Ok((row.id, etag, wire))
}

/// Changes a `draft` or `rejected` request `row` (locked by the caller), made against the version
/// `if_match`: what `body` leaves out stays, its `listing` replaces the old one whole.
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    (row, if_match): (&PublishRow, Option<&str>),
    body: UpdatePublishRequest,
    now: NaiveDateTime,
) -> AppResult<PublishRow> {
    check_if_match(if_match, row)?;
    if !row.status.is_editable() {
        return Err(AppError::new(
            ErrorCode::IllegalTransition,
            "Only a draft or a rejected request can be changed: withdraw it and make a new one.",
        ));
    }
    let old = Content::of(row)?;
    let content = Content {
        release_notes: body.release_notes.unwrap_or(old.release_notes),
        listing: body.listing.unwrap_or(old.listing),
    };
    let version_name = body
        .version_name
        .unwrap_or_else(|| row.version_name.clone());
    let build_number = body.build_number.unwrap_or(row.build_number);
    check_content(conn, row.app_id, row.store, &content)?;
    check_version(conn, row.app_id, row.store, (&version_name, build_number))?;
    let changes = PublishChanges {
        version_name: Some(version_name),
        build_number: Some(build_number),
        release_notes: Some(Content::notes_json(&content.release_notes)?),
        listing: Some(Content::listing_json(&content.listing)?),
        ..Default::default()
    };
    let changed = PublishRow::update(conn, row.id, &changes, now)?;
    let id = Some(row.id.to_string());
    actor.record(conn, "publish_request.updated", "publish_request", id)?;
    Ok(changed)
}
