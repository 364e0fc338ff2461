//! Customers, as their partner (or an admin) manages them: made and deleted here, each with its
//! audit record and its webhook event, in the caller's transaction; edited through
//! `onboarding::update_account`, which partners share.

use chrono::NaiveDateTime;
use types::accounts::Role;
use types::accounts::UpdateAccount;
use types::customers::CreateCustomer;
use types::webhooks::WebhookEventType as Event;
use types::ErrorCode;

use crate::billing::{self, Billing};
use crate::db::accounts::AccountRow;
use crate::db::audit::Actor;
use crate::db::tokens::RefreshTokenRow;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::mailer::Mailer;
use crate::onboarding::{create_account, ensure_owns_no_apps, AccountSpec};
use crate::policy::{self, Scope};
use crate::versions::check_if_match;

/// Makes the customer `body` describes, of the partner `requested` (an admin's choice) or of the
/// partner `scope` is for, and queues its activation or set-password email. `password_hash` is
/// the hash of `body.password`, computed off the request thread.
pub fn create(
    conn: &mut DbConn,
    (scope, actor): (Scope, &Actor),
    (mailer, requested): (&Mailer, Option<i64>),
    body: CreateCustomer,
    password_hash: Option<String>,
) -> AppResult<AccountRow> {
    let partner_id = policy::partner_for_new_customer(scope, conn, requested)?;
    let spec = AccountSpec {
        email: types::email::Email::parse(&body.email),
        password_hash,
        role: Role::Customer,
        status: body.status,
        first_name: body.first_name,
        last_name: body.last_name,
        company: body.company.filter(|c| !c.trim().is_empty()),
        phone: body.phone,
        country: body.country,
        partner_id,
    };
    let account = create_account(conn, mailer, &spec)?;
    actor.record(
        conn,
        "customer.create",
        "customer",
        Some(account.id.to_string()),
    )?;
    crate::webhooks::emit(conn, account.id, Event::CustomerCreated, &account.to_wire())?;
    Ok(account)
}

/// Deletes the customer `id`, made against the version `if_match`, when it owns no apps (409
/// `customer_has_apps`) and no paid subscription runs (see `billing::before_deleting`).
pub fn delete(
    conn: &mut DbConn,
    (scope, actor): (Scope, &Actor),
    (id, if_match): (i64, Option<&str>),
    billing: &Billing,
    now: NaiveDateTime,
) -> AppResult<()> {
    let current = scope.find_customer(conn, id)?;
    check_if_match(if_match, &current)?;
    billing::before_deleting(conn, billing, None, Some(id), now)?;
    ensure_owns_no_apps(conn, id, ErrorCode::CustomerHasApps)?;
    actor.record(conn, "customer.delete", "customer", Some(id.to_string()))?;
    crate::webhooks::emit(conn, id, Event::CustomerDeleted, &current.to_wire())?;
    Ok(AccountRow::delete(conn, id)?)
}

/// Whether a partner (or an administrator) may "log in as" `customer` now: only an activated
/// customer (409 `customer_not_activated`) that allows it (403 `log_in_as_disabled`).
pub fn ensure_may_log_in_as(customer: &AccountRow) -> AppResult<()> {
    if customer.status() != types::accounts::AccountStatus::Activated {
        return Err(crate::error::customer_not_activated());
    }
    if !customer.allow_log_in_as {
        return Err(crate::error::log_in_as_disabled());
    }
    Ok(())
}

/// What the holder of account `id` decides for it (`PATCH account`), as `actor`: a customer's
/// consent to "log in as" — switched off, the "log in as" sessions running now end at once.
pub fn decide(
    conn: &mut DbConn,
    actor: &Actor,
    id: i64,
    body: &UpdateAccount,
) -> AppResult<AccountRow> {
    let account = AccountRow::find(conn, id)?.ok_or_else(crate::error::AppError::not_found)?;
    let Some(allow) = body.allow_log_in_as else {
        return Ok(account);
    };
    if account.role() != Role::Customer {
        return Err(crate::error::AppError::invalid_field(
            "allow_log_in_as",
            "applies to customer accounts only: nobody logs in as a partner or an administrator",
        ));
    }
    if allow == account.allow_log_in_as {
        return Ok(account);
    }
    let changes = crate::db::accounts::AccountChanges {
        allow_log_in_as: Some(allow),
        ..Default::default()
    };
    let account = AccountRow::update(conn, id, &changes)?;
    if !allow {
        RefreshTokenRow::revoke_impersonations_of(conn, id)?;
    }
    let action = if allow {
        "account.allow_log_in_as"
    } else {
        "account.refuse_log_in_as"
    };
    actor.record(conn, action, "customer", Some(id.to_string()))?;
    crate::webhooks::emit(conn, id, Event::CustomerUpdated, &account.to_wire())?;
    Ok(account)
}
