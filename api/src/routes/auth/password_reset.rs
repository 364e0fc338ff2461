//! "Forgot password?": `POST /auth/password-reset` emails a one-time link, and
//! `POST /auth/password-reset/confirm` sets the new password with it.

use actix_web::{post, web, HttpRequest, HttpResponse};
use types::accounts::AccountStatus;
use types::auth::{PasswordResetConfirm, PasswordResetRequest};

use super::checks::{ensure_activated, limit_attempts};
use crate::auth::extractor::client_ip;
use crate::auth::password::hash_off_thread as hash_password;
use crate::auth::secrets;
use crate::db::accounts::{AccountChanges, AccountRow};
use crate::db::audit::Actor;
use crate::db::tokens::{ApiTokenRow, OneTimeTokenRow, Purpose, RefreshTokenRow};
use crate::error::{invalid_link, ApiResult};
use crate::onboarding::send_link;
use crate::routes::Valid;
use crate::state::AppState;

/// Emails a password-reset link to the account with this email, if there is an activated one.
///
/// Always 202, whether or not an account uses the email, so that the answer reveals nothing.
/// The link works once, within an hour. Rate limited per IP address and per email, as sign-in is.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetRequest,
    responses(
        (status = 202, description = "If an activated account uses this email, a link is on its way"),
        (status = 429, description = "`rate_limited`: too many attempts"),
    )
)]
#[post("/auth/password-reset")]
pub(super) async fn request_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<PasswordResetRequest>,
) -> ApiResult<HttpResponse> {
    let email = types::email::Email::parse(&body.0.email);
    let ip = client_ip(&req, state.settings.trust_proxy);
    limit_attempts(&state, ip.as_deref(), email.as_str())?;
    let state2 = state.clone();
    state
        .db
        .transaction(move |conn| {
            let Some(account) = AccountRow::find_by_email(conn, &email)? else {
                return Ok(());
            };
            // Pending accounts activate by their own link; locked ones may not get back in.
            if account.status() == AccountStatus::Activated {
                send_link(conn, &state2.mailer, &account, Purpose::PasswordReset)?;
            }
            Ok(())
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Sets a new password with the token from a password-reset link.
///
/// The link works once; every session of the account ends at once (its access tokens too), its
/// personal API tokens are revoked unless `revoke_api_tokens` is `false`, and the account's other
/// reset links stop working.
#[utoipa::path(
    tag = "auth",
    request_body = PasswordResetConfirm,
    responses(
        (status = 204, description = "Password changed; sign in with it"),
        (status = 403, description = "`account_locked` or `account_not_activated`"),
        (status = 404, description = "`invalid_link`: unknown, used or expired token"),
    )
)]
#[post("/auth/password-reset/confirm")]
pub(super) async fn confirm_password_reset(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<PasswordResetConfirm>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let new_hash = hash_password(body.new_password).await?;
    let token_hash = secrets::hash_token(&body.token);
    let ip = client_ip(&req, state.settings.trust_proxy);
    state
        .db
        .transaction(move |conn| {
            let token = OneTimeTokenRow::redeem(conn, &token_hash, &[Purpose::PasswordReset])?
                .ok_or_else(invalid_link)?;
            let account = AccountRow::find(conn, token.account_id)?.ok_or_else(invalid_link)?;
            ensure_activated(&account)?;
            let changes = AccountChanges {
                password_hash: Some(Some(new_hash)),
                ..AccountChanges::default()
            };
            let account = AccountRow::update(conn, account.id, &changes)?;
            RefreshTokenRow::revoke_all_of(conn, account.id)?;
            if body.revoke_api_tokens {
                ApiTokenRow::revoke_all_of(conn, account.id)?;
            }
            OneTimeTokenRow::spend_all(conn, account.id, Purpose::PasswordReset)?;
            Ok(Actor::for_account(&account.principal(), None, ip).record(
                conn,
                "account.password_reset",
                account.role().as_str(),
                Some(account.id.to_string()),
            )?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
