//! Apps: what may happen to one — made, edited, deleted, its public key replaced — each with its
//! audit record and its webhook event, in the caller's transaction.

use chrono::NaiveDateTime;
use types::apps::{AppEdition, AppKind, CreateApp, UpdateApp};
use types::webhooks::WebhookEventType as Event;

use crate::auth::secrets;
use crate::billing::{self, Billing};
use crate::db::apps::{AppChanges, AppRow, AppWithOwner, NewApp};
use crate::db::audit::Actor;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::policy::{self, Scope};
use crate::versions::check_if_match;

/// A fresh public app key.
fn new_app_key() -> String {
    format!("ak_{}", secrets::random_token(18))
}

fn store_url_required() -> AppError {
    AppError::invalid_field("store_url", "is required for magento apps")
}

/// Tells the webhooks of the app's owner (and its partner) about it.
fn emit(conn: &mut DbConn, event: Event, (app, owner_email): &AppWithOwner) -> AppResult<()> {
    crate::webhooks::emit(conn, app.owner_id, event, &app.to_wire(owner_email))
}

/// What a new app must say before anything is stored: a Magento app its store's address.
pub fn check_new(body: &CreateApp) -> AppResult<()> {
    if body.kind == AppKind::Magento && body.store_url.is_none() {
        return Err(store_url_required());
    }
    Ok(())
}

/// Makes the app `body` describes, owned by `requested` (or by whom `scope` implies).
pub fn create(
    conn: &mut DbConn,
    scope: Scope,
    actor: &Actor,
    requested: Option<i64>,
    body: CreateApp,
    now: NaiveDateTime,
) -> AppResult<AppWithOwner> {
    let owner_id = policy::owner_for_new_app(scope, conn, requested)?;
    billing::ensure_may_set_edition(scope.role(), AppEdition::Basic, body.edition)?;
    let created = AppRow::insert(
        conn,
        &NewApp {
            owner_id,
            name: body.name.trim().to_owned(),
            kind: body.kind.as_str().to_owned(),
            edition: body.edition.as_str().to_owned(),
            store_url: body.store_url,
            icon_url: body.icon_url,
            ios_bundle_id: body.ios_bundle_id,
            android_package_name: body.android_package_name,
            app_key: new_app_key(),
            created_at: now,
            updated_at: now,
        },
    )?;
    let id = Some(created.0.id.to_string());
    actor.record(conn, "app.create", "app", id.clone())?;
    if body.edition == AppEdition::Standard {
        actor.record(conn, "app.edition_grant", "app", id)?;
    }
    emit(conn, Event::AppCreated, &created)?;
    Ok(created)
}

/// Edits the app `id` (not its kind or owner), made against the version `if_match`. The edition
/// follows the app's subscription (see `billing::ensure_edition_is_free`).
pub fn update(
    conn: &mut DbConn,
    scope: Scope,
    actor: &Actor,
    (id, if_match): (i64, Option<&str>),
    body: UpdateApp,
) -> AppResult<AppWithOwner> {
    let (current, _) = scope.find_app(conn, id)?;
    check_if_match(if_match, &current)?;
    if current.kind() == AppKind::Magento && body.store_url == Some(None) {
        return Err(store_url_required());
    }
    let new_edition = body.edition.filter(|e| *e != current.edition());
    if let Some(edition) = new_edition {
        billing::ensure_may_set_edition(scope.role(), current.edition(), edition)?;
        billing::ensure_edition_is_free(conn, id)?;
    }
    let changes = AppChanges {
        name: body.name.map(|n| n.trim().to_owned()),
        edition: body.edition.map(|e| e.as_str().to_owned()),
        store_url: body.store_url,
        icon_url: body.icon_url,
        ios_bundle_id: body.ios_bundle_id,
        android_package_name: body.android_package_name,
        app_key: None,
    };
    let updated = AppRow::update(conn, id, &changes)?;
    actor.record(conn, "app.update", "app", Some(id.to_string()))?;
    if new_edition == Some(AppEdition::Standard) {
        actor.record(conn, "app.edition_grant", "app", Some(id.to_string()))?;
    }
    emit(conn, Event::AppUpdated, &updated)?;
    Ok(updated)
}

/// Deletes the app `id` with everything it holds (see `billing::before_deleting` for its
/// subscription), made against the version `if_match`.
pub fn delete(
    conn: &mut DbConn,
    scope: Scope,
    actor: &Actor,
    (id, if_match): (i64, Option<&str>),
    billing: &Billing,
    now: NaiveDateTime,
) -> AppResult<()> {
    let current = scope.find_app(conn, id)?;
    check_if_match(if_match, &current.0)?;
    billing::before_deleting(conn, billing, Some(id), None, now)?;
    // Recorded first, while the app's name can still be read.
    actor.record(conn, "app.delete", "app", Some(id.to_string()))?;
    emit(conn, Event::AppDeleted, &current)?;
    Ok(AppRow::delete(conn, id)?)
}

/// Replaces the app's public key: the old one stops working at once.
pub fn rotate_key(
    conn: &mut DbConn,
    scope: Scope,
    actor: &Actor,
    id: i64,
) -> AppResult<AppWithOwner> {
    scope.find_app(conn, id)?;
    let changes = AppChanges {
        app_key: Some(new_app_key()),
        ..AppChanges::default()
    };
    let updated = AppRow::update(conn, id, &changes)?;
    actor.record(conn, "app.rotate_key", "app", Some(id.to_string()))?;
    emit(conn, Event::AppUpdated, &updated)?;
    Ok(updated)
}
