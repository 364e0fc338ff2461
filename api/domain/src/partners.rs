//! Partners, as admins make them: the account, its audit record and its set-password or
//! activation email, in the caller's transaction (edited through `onboarding::update_account`,
//! which customers share).

use types::accounts::{AccountStatus, CreatePartner, Role};

use crate::db::accounts::AccountRow;
use crate::db::audit::Actor;
use crate::db::DbConn;
use crate::error::AppResult;
use crate::mailer::Mailer;
use crate::onboarding::{create_account, AccountSpec};

/// Makes the partner `body` describes, as `actor` (an admin). `password_hash` is the hash of
/// `body.password`, computed off the request thread.
pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    mailer: &Mailer,
    body: CreatePartner,
    password_hash: Option<String>,
) -> AppResult<AccountRow> {
    let spec = AccountSpec {
        email: types::email::Email::parse(&body.email),
        password_hash,
        role: Role::Partner,
        status: body.status.unwrap_or(AccountStatus::Activated),
        first_name: body.first_name,
        last_name: body.last_name,
        company: Some(body.company),
        phone: body.phone,
        country: body.country,
        partner_id: None,
    };
    let account = create_account(conn, mailer, &spec)?;
    actor.record(
        conn,
        "partner.create",
        "partner",
        Some(account.id.to_string()),
    )?;
    Ok(account)
}
