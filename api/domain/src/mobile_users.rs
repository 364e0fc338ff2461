//! Mobile users of stand-alone apps: registered (from the app or the back office), edited,
//! blocked, deleted — each with its audit record and its webhook event, in the caller's
//! transaction. A Magento app's users live in its store: every change is 403
//! `managed_by_magento`.

use types::apps::AppKind;
use types::email::Email;
use types::mobile_users::{CreateMobileUser, MobileUserStatus, UpdateMobileUser};
use types::webhooks::WebhookEventType as Event;

use crate::db::apps::AppRow;
use crate::db::audit::Actor;
use crate::db::mobile_users::{MobileUserChanges, MobileUserRow, NewMobileUser};
use crate::db::DbConn;
use crate::error::{managed_by_magento, mobile_user_email_taken, AppError, AppResult};
use crate::policy::Scope;
use crate::versions::check_if_match;

/// A fresh handle for a mobile user: 128 random bits, nothing the app could guess from.
fn new_sdk_ref() -> String {
    format!("mu_{}", crate::auth::secrets::random_token(16))
}

/// Tells the webhooks of the app's owner (and its partner) about the user.
fn emit(conn: &mut DbConn, app: &AppRow, event: Event, user: &MobileUserRow) -> AppResult<()> {
    crate::webhooks::emit(conn, app.owner_id, event, &user.to_wire())
}

/// A stand-alone app within `scope`: a Magento one is 403 `managed_by_magento`.
pub fn standalone_app(conn: &mut DbConn, scope: Scope, id: i64) -> AppResult<AppRow> {
    let (app, _) = scope.find_app(conn, id)?;
    if app.kind() == AppKind::Magento {
        return Err(managed_by_magento());
    }
    Ok(app)
}

/// Registers a user of a stand-alone app (from the app, or from the back office).
pub fn create(
    conn: &mut DbConn,
    app: &AppRow,
    user: &CreateMobileUser,
) -> AppResult<MobileUserRow> {
    if app.kind() == AppKind::Magento {
        return Err(managed_by_magento());
    }
    let email = Email::parse(&user.email);
    if MobileUserRow::email_in_use(conn, app.id, &email, None)? {
        return Err(mobile_user_email_taken());
    }
    let now = crate::clock::now();
    let created = MobileUserRow::insert(
        conn,
        &NewMobileUser {
            app_id: app.id,
            email: email.into_string(),
            first_name: user.first_name.trim().to_owned(),
            last_name: user.last_name.trim().to_owned(),
            phone: user.phone.clone(),
            status: MobileUserStatus::Active.as_str().to_owned(),
            created_at: now,
            updated_at: now,
            sdk_ref: new_sdk_ref(),
        },
    )?;
    emit(conn, app, Event::MobileUserCreated, &created)?;
    Ok(created)
}

/// Registers a user from the back office, audited as the person who did it.
pub fn create_audited(
    conn: &mut DbConn,
    actor: &Actor,
    app: &AppRow,
    user: &CreateMobileUser,
) -> AppResult<MobileUserRow> {
    let created = create(conn, app, user)?;
    let id = Some(created.id.to_string());
    actor.record(conn, "mobile_user.create", "mobile_user", id)?;
    Ok(created)
}

/// Edits (or blocks, or unblocks) the user `user_id` of `app`, made against the version
/// `if_match`; another user of the app with the new email is 409 `email_taken`.
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    app: &AppRow,
    (user_id, if_match): (i64, Option<&str>),
    body: UpdateMobileUser,
) -> AppResult<MobileUserRow> {
    let current = MobileUserRow::find(conn, app.id, user_id)?;
    check_if_match(if_match, &current)?;
    let email = body.email.as_deref().map(Email::parse);
    if let Some(email) = &email {
        if MobileUserRow::email_in_use(conn, app.id, email, Some(current.id))? {
            return Err(mobile_user_email_taken());
        }
    }
    let action = match body.status {
        Some(status) if status != current.status() => match status {
            MobileUserStatus::Active => "mobile_user.unblock",
            MobileUserStatus::Blocked => "mobile_user.block",
        },
        _ => "mobile_user.update",
    };
    let changes = MobileUserChanges {
        email: email.map(Email::into_string),
        first_name: body.first_name.map(|s| s.trim().to_owned()),
        last_name: body.last_name.map(|s| s.trim().to_owned()),
        phone: body.phone,
        status: body.status.map(|s| s.as_str().to_owned()),
    };
    let updated = MobileUserRow::update(conn, &current, &changes)?;
    actor.record(conn, action, "mobile_user", Some(user_id.to_string()))?;
    emit(conn, app, Event::MobileUserUpdated, &updated)?;
    Ok(updated)
}

/// Deletes the user `user_id` of `app`, made against the version `if_match`.
pub fn delete(
    conn: &mut DbConn,
    actor: &Actor,
    app: &AppRow,
    (user_id, if_match): (i64, Option<&str>),
) -> AppResult<()> {
    let current = MobileUserRow::find(conn, app.id, user_id)?;
    check_if_match(if_match, &current)?;
    // Recorded first, while the user's name can still be read.
    actor.record(
        conn,
        "mobile_user.delete",
        "mobile_user",
        Some(user_id.to_string()),
    )?;
    emit(conn, app, Event::MobileUserDeleted, &current)?;
    Ok(MobileUserRow::delete(conn, current.id)?)
}

/// The buyer named by an SDK order or quote request: the app's user with this handle (`Err` names
/// the field when there is none).
pub fn by_ref(conn: &mut DbConn, app_id: i64, sdk_ref: &str) -> AppResult<MobileUserRow> {
    MobileUserRow::find_by_ref(conn, app_id, sdk_ref)?
        .ok_or_else(|| AppError::invalid_field("mobile_user_ref", "is not a user of this app"))
}
