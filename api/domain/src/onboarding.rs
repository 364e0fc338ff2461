//! Creating accounts, shared by self-registration, the admin's partner form, `create-admin` and
//! the demo seed: one place decides the email that goes with a new account.

use types::accounts::{AccountStatus, Role};
use types::email::Email as Address;
use types::ErrorCode;

use crate::auth::secrets;
use crate::db::accounts::{AccountChanges, AccountRow, NewAccount};
use crate::db::apps::AppRow;
use crate::db::audit::Actor;
use crate::db::tokens::{ApiTokenRow, OneTimeTokenRow, Purpose, RefreshTokenRow};
use crate::db::DbConn;
use crate::error::{email_taken, AppError, AppResult};
use crate::mailer::{Email, Mailer};

/// How long an emailed activation or set-password link works.
pub const LINK_VALIDITY_DAYS: i64 = 7;

pub struct AccountSpec {
    pub email: Address,
    /// An argon2 hash computed beforehand (off the request thread), if a password was given.
    pub password_hash: Option<String>,
    pub role: Role,
    pub status: AccountStatus,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub partner_id: Option<i64>,
}

/// Inserts the account and queues its email: an activation link for a pending account, a
/// set-password link for an activated one without a password, none otherwise.
pub fn create_account(
    conn: &mut DbConn,
    mailer: &Mailer,
    spec: &AccountSpec,
) -> AppResult<AccountRow> {
    let email = &spec.email;
    if AccountRow::email_in_use(conn, email, None)? {
        return Err(email_taken());
    }
    let now = crate::clock::now();
    let account = AccountRow::insert(
        conn,
        &NewAccount {
            email: email.as_str(),
            password_hash: spec.password_hash.as_deref(),
            role: spec.role.as_str(),
            status: spec.status.as_str(),
            first_name: spec.first_name.trim(),
            last_name: spec.last_name.trim(),
            company: spec.company.as_deref().map(str::trim),
            phone: spec.phone.as_deref().map(str::trim),
            country: spec.country.as_deref(),
            partner_id: spec.partner_id,
            created_at: now,
            updated_at: now,
        },
    )?;
    let purpose = match (spec.status, spec.password_hash.is_some()) {
        (AccountStatus::PendingActivation, _) => Some(Purpose::Activation),
        (AccountStatus::Activated, false) => Some(Purpose::SetPassword),
        _ => None,
    };
    if let Some(purpose) = purpose {
        send_link(conn, mailer, &account, purpose)?;
    }
    Ok(account)
}

/// How long a password-reset link works.
pub const PASSWORD_RESET_MINUTES: i64 = 60;

/// Creates a one-time link for `account` and queues the email that carries it: activation,
/// set-password or password reset (impersonation codes are never emailed).
pub fn send_link(
    conn: &mut DbConn,
    mailer: &Mailer,
    account: &AccountRow,
    purpose: Purpose,
) -> AppResult<()> {
    let token = secrets::random_token(32);
    let name = account.first_name.as_str();
    // The newest link wins: the ones sent before for the same purpose stop working.
    OneTimeTokenRow::spend_all(conn, account.id, purpose)?;
    let (email, valid_for) = match purpose {
        Purpose::Activation => (
            Email::Activation { token: &token },
            chrono::Duration::days(LINK_VALIDITY_DAYS),
        ),
        Purpose::SetPassword => (
            Email::SetPassword {
                name,
                token: &token,
            },
            chrono::Duration::days(LINK_VALIDITY_DAYS),
        ),
        Purpose::PasswordReset => (
            Email::PasswordReset {
                name,
                token: &token,
            },
            chrono::Duration::minutes(PASSWORD_RESET_MINUTES),
        ),
        Purpose::Impersonation => {
            return Err(AppError::internal(anyhow::anyhow!(
                "impersonation codes are never emailed"
            )))
        }
    };
    OneTimeTokenRow::insert(
        conn,
        account.id,
        purpose,
        &secrets::hash_token(&token),
        valid_for,
    )?;
    mailer.enqueue(conn, &account.email, &email)?;
    Ok(())
}

/// Applies an edit to an account (partner or customer) and records it: the email stays unique,
/// locking revokes every refresh and API token at once (and every "log in as" session the
/// account opened; unlocking brings none back), and the audit action names the status
/// change (`<subject>.lock`, `.activate`, `.deactivate`, or `.update`).
pub fn update_account(
    conn: &mut DbConn,
    actor: &Actor,
    current: &AccountRow,
    mut changes: AccountChanges,
    new_status: Option<AccountStatus>,
    subject: &str,
) -> AppResult<AccountRow> {
    let id = current.id;
    if let Some(email) = changes.email.as_deref().map(Address::parse) {
        if AccountRow::email_in_use(conn, &email, Some(id))? {
            return Err(email_taken());
        }
        changes.email = Some(email.into_string());
    }
    let status_change = new_status.filter(|s| *s != current.status());
    changes.status = status_change.map(|s| s.as_str().to_owned());
    let account = AccountRow::update(conn, id, &changes)?;
    if status_change == Some(AccountStatus::Locked) {
        RefreshTokenRow::revoke_all_of(conn, id)?;
        RefreshTokenRow::revoke_impersonations_by(conn, id)?;
        ApiTokenRow::revoke_all_of(conn, id)?;
    }
    let verb = match status_change {
        Some(AccountStatus::Locked) => "lock",
        Some(AccountStatus::Activated) => "activate",
        Some(AccountStatus::PendingActivation) => "deactivate",
        None => "update",
    };
    actor.record(
        conn,
        &format!("{subject}.{verb}"),
        subject,
        Some(id.to_string()),
    )?;
    if account.role() == Role::Customer {
        crate::webhooks::emit(
            conn,
            id,
            types::webhooks::WebhookEventType::CustomerUpdated,
            &account.to_wire(),
        )?;
    }
    Ok(account)
}

/// An account that owns apps cannot be deleted (409 `code`): deleting it would take the apps'
/// devices, analytics and users along.
pub fn ensure_owns_no_apps(conn: &mut DbConn, owner_id: i64, code: ErrorCode) -> AppResult<()> {
    match AppRow::count_owned_by(conn, owner_id)? {
        0 => Ok(()),
        n => Err(AppError::new(
            code,
            format!("This account still owns {n} app(s); delete them first."),
        )),
    }
}
