//! The decisions about who may create what, above the store's [`Scope`] (which decides who may
//! reach which rows).

use types::accounts::Role;
use types::ErrorCode;

use crate::db::accounts::AccountRow;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
pub use store::scope::{AccountIds, AppIds, Scope};

/// The partner of a customer this scope creates: a partner's are its own; an admin names a
/// partner (404 `partner_not_found` if it is none) or none (a direct customer).
pub fn partner_for_new_customer(
    scope: Scope,
    conn: &mut DbConn,
    requested: Option<i64>,
) -> AppResult<Option<i64>> {
    match (scope, requested) {
        (Scope::All, None) => Ok(None),
        (Scope::All, Some(id)) => AccountRow::find(conn, id)?
            .filter(|p| p.role() == Role::Partner)
            .map(|p| Some(p.id))
            .ok_or_else(|| {
                AppError::new(ErrorCode::PartnerNotFound, "`partner_id` names no partner.")
            }),
        (Scope::Partner(me) | Scope::Customer(me), _) => Ok(Some(me)),
    }
}

/// Who will own an app this scope creates: a customer itself; a partner itself or one of its
/// customers; an admin must name a customer or partner.
pub fn owner_for_new_app(
    scope: Scope,
    conn: &mut DbConn,
    requested: Option<i64>,
) -> AppResult<i64> {
    let owner_not_found = || {
        AppError::new(
            ErrorCode::OwnerNotFound,
            "`owner_id` names no account of yours that can own apps.",
        )
    };
    match (scope, requested) {
        (Scope::All, None) => Err(AppError::invalid_field(
            "owner_id",
            "is required: the customer or partner that owns the app",
        )),
        (Scope::Partner(me) | Scope::Customer(me), None) => Ok(me),
        (Scope::Partner(me) | Scope::Customer(me), Some(id)) if id == me => Ok(id),
        (Scope::Customer(_), Some(_)) => Err(owner_not_found()),
        (scope, Some(id)) => AccountRow::find(conn, id)?
            .filter(|a| matches!(a.role(), Role::Customer | Role::Partner))
            .filter(|a| scope.reaches_account(a))
            .map(|a| a.id)
            .ok_or_else(owner_not_found),
    }
}
