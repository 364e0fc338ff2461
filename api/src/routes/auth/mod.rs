//! Sign-up, activation, sign-in and sessions (`/auth/...`): one file per action, and the browser
//! cookie that carries a refresh token.

mod cookie;
mod impersonation;
mod password_reset;
mod register;
mod session;

use crate::routes::Register;
use types::accounts::AccountStatus;

use crate::db::accounts::AccountRow;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(impersonation::exchange_impersonation)
        .service(register::register)
        .service(register::activate)
        .service(session::login)
        .service(session::refresh)
        .service(session::logout)
        .service(password_reset::request_password_reset)
        .service(password_reset::confirm_password_reset);
}

/// Counts an attempt that a password guesser could repeat (sign-in, a password-reset request)
/// against the per-IP and per-email limits: 429 with `Retry-After` beyond them.
fn limit_attempts(state: &AppState, ip: Option<&str>, email: &str) -> AppResult<()> {
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
fn ensure_activated(account: &AccountRow) -> AppResult<()> {
    match account.status() {
        AccountStatus::Activated => Ok(()),
        AccountStatus::PendingActivation => Err(AppError::forbidden(
            "account_not_activated",
            "This account is not activated yet: open the link in the activation email first.",
        )),
        AccountStatus::Locked => Err(AppError::forbidden(
            "account_locked",
            "This account is locked.",
        )),
    }
}
