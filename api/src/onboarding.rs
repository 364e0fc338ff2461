//! Creating accounts, shared by self-registration, the admin's partner form, `create-admin` and
//! the demo seed: one place decides the email that goes with a new account.

use types::accounts::{AccountStatus, Role};

use crate::auth::secrets;
use crate::db::accounts::{AccountRow, NewAccount};
use crate::db::tokens::{OneTimeTokenRow, Purpose};
use crate::db::DbConn;
use crate::error::{email_taken, AppResult};
use crate::mailer::{Email, Mailer};

/// How long an emailed activation or set-password link works.
pub const LINK_VALIDITY_DAYS: i64 = 7;

pub struct AccountSpec {
    pub email: String,
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
    let email = spec.email.trim().to_lowercase();
    if AccountRow::email_in_use(conn, &email, None)? {
        return Err(email_taken());
    }
    let now = crate::db::now();
    let account = AccountRow::insert(
        conn,
        &NewAccount {
            email: &email,
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

/// Creates a one-time link for `account` and queues the email that carries it.
pub fn send_link(
    conn: &mut DbConn,
    mailer: &Mailer,
    account: &AccountRow,
    purpose: Purpose,
) -> AppResult<()> {
    let token = secrets::random_token(32);
    OneTimeTokenRow::insert(
        conn,
        account.id,
        purpose,
        &secrets::hash_token(&token),
        chrono::Duration::days(LINK_VALIDITY_DAYS),
    )?;
    let name = account.first_name.as_str();
    let email = match purpose {
        Purpose::Activation => Email::Activation {
            name,
            token: &token,
        },
        Purpose::SetPassword => Email::SetPassword {
            name,
            token: &token,
        },
    };
    mailer.enqueue(conn, &account.email, &email)?;
    Ok(())
}
