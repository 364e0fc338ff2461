//! What every sign-in and password reset checks first: the attempt limits and the account's
//! status.

use types::accounts::AccountStatus;
use types::ErrorCode;

use crate::db::accounts::AccountRow;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Counts an attempt that a password guesser could repeat (sign-in, a password-reset request)
/// against the per-IP and per-email limits: 429 with `Retry-After` beyond them.
pub(super) fn limit_attempts(state: &AppState, ip: Option<&str>, email: &str) -> AppResult<()> {
    state
        .login_by_ip
        .hit(ip.unwrap_or("-"))
        .map_err(AppError::rate_limited)?;
    state
        .login_by_email
        .hit(email)
        .map_err(AppError::rate_limited)
}

/// Only activated accounts sign in or reset their password: 403 `account_not_activated` or
/// `account_locked` otherwise.
pub(super) fn ensure_activated(account: &AccountRow) -> AppResult<()> {
    match account.status() {
        AccountStatus::Activated => Ok(()),
        AccountStatus::PendingActivation => Err(AppError::new(
            ErrorCode::AccountNotActivated,
            "This account is not activated yet: open the link in the activation email first.",
        )),
        AccountStatus::Locked => Err(AppError::new(
            ErrorCode::AccountLocked,
            "This account is locked.",
        )),
    }
}
