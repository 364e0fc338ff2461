//! `POST /auth/login`, `POST /auth/refresh` and `POST /auth/logout`.

use actix_web::{post, web, HttpRequest, HttpResponse};
use types::accounts::AccountStatus;
use types::auth::{LoginReply, LoginRequest, RefreshRequest, TokenResponse, TwoFactorChallenge};
use types::ErrorCode;

use super::checks::ensure_activated;
use super::cookie::{refresh_token_of, session_cookies, token_reply};
use crate::auth::device;
use crate::auth::extractor::{client_ip, origin};
use crate::auth::password;
use crate::auth::secrets;
use crate::auth::sessions::{issue_tokens, sign_in, SessionKind};
use crate::auth::two_factor;
use crate::db::accounts::{AccountRow, Principal};
use crate::db::tokens::RefreshTokenRow;
use crate::error::{ApiError, ApiResult, AppError};
use crate::policy::Scope;
use crate::routes::Valid;
use crate::state::AppState;

/// Signs in with email and password.
///
/// A wrong email or password gets the same 401 either way. A correct password on an account that
/// is not usable gets 403 `account_not_activated` or `account_locked`. Failed sign-ins are counted
/// per email address (`LOGIN_FAILURES_PER_ACCOUNT` in 15 minutes, 10 by default) and per IP
/// address (`LOGIN_FAILURES_PER_ADDRESS`, 100); beyond either, sign-ins get 429 `rate_limited` with
/// `Retry-After` until the window ends. Successful sign-ins are not counted, and one clears its
/// account's failures.
///
/// A successful sign-in also sets a device cookie (`bo_device`, HttpOnly, sent only to
/// `/api/v1/auth`). A later sign-in to the same email that brings it back is judged by that
/// browser's own failures only, so strangers guessing at an email, or sharing an address, cannot
/// lock its owner out of a browser the owner has used before.
///
/// A person with two-factor sign-in on gets no tokens here but a `TwoFactorChallenge`
/// (`two_factor_required: true`), to answer at `POST auth/login/two-factor` within 5 minutes.
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in: the tokens, or the second step to take", body = LoginReply),
        (status = 401, description = "`invalid_credentials`: wrong email or password"),
        (status = 403, description = "`account_not_activated` or `account_locked`"),
        (status = 429, description = "`rate_limited`: too many failed sign-ins for this email or from this address"),
    )
)]
#[post("/auth/login")]
pub(super) async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let email = types::email::Email::parse(&body.email);
    let ip = client_ip(&req, state.settings.trust_proxy);
    let address = ip.clone().unwrap_or_else(|| "-".into());
    // Only failures count (OWASP): per account, and with a much higher ceiling per address —
    // or, from a browser that signed in to this account before, that browser's own.
    let secret = state.settings.jwt_secret.as_deref().unwrap_or_default();
    let known = device::recognise(&req, secret, email.as_str());
    match &known {
        Some(device) => state.failed_logins_by_device.check(&device.key),
        None => state
            .failed_logins_by_account
            .check(email.as_str())
            .and_then(|()| state.failed_logins_by_ip.check(&address)),
    }
    .map_err(AppError::rate_limited)?;

    // Three steps so that no database connection is held while argon2 runs.
    let key = email.clone();
    let (account, stored) = state
        .db
        .run(move |conn| {
            let Some(account) = AccountRow::find_by_email(conn, &email)? else {
                return Ok((None, None));
            };
            let stored = AccountRow::password_hash(conn, account.id)?;
            Ok((Some(account), stored))
        })
        .await?;
    let password_ok =
        tokio::task::spawn_blocking(move || password::verify(&body.password, stored.as_deref()))
            .await?;
    let account = match account {
        Some(account) if password_ok => account,
        _ => {
            match &known {
                Some(device) => state.failed_logins_by_device.count(&device.key),
                None => {
                    state.failed_logins_by_account.count(key.as_str());
                    state.failed_logins_by_ip.count(&address);
                }
            }
            return Err(ApiError(AppError::new(
                ErrorCode::InvalidCredentials,
                "The email or password is wrong.",
            )));
        }
    };
    state.failed_logins_by_account.clear(key.as_str());
    if let Some(device) = &known {
        state.failed_logins_by_device.clear(&device.key);
    }
    ensure_activated(&account)?;
    let state2 = state.clone();
    let origin = origin(&req, state.settings.trust_proxy);
    let step = state
        .db
        .transaction(move |conn| {
            let now = crate::clock::now();
            if let Some((challenge, methods)) = two_factor::challenge_for(conn, account.id, now)? {
                return Ok(LoginReply::TwoFactor(TwoFactorChallenge {
                    two_factor_required: true,
                    challenge,
                    methods,
                }));
            }
            Ok(LoginReply::Tokens(sign_in(
                conn,
                &state2.jwt,
                &account,
                &origin,
            )?))
        })
        .await?;
    let mut reply = match step {
        LoginReply::Tokens(tokens) => token_reply(tokens, body.use_cookie, &state),
        challenge @ LoginReply::TwoFactor(_) => HttpResponse::Ok().json(challenge),
    };
    reply
        .add_cookie(&device::cookie_for(key.as_str(), &state))
        .map_err(AppError::internal)?;
    Ok(reply)
}

/// Exchanges a refresh token for a new access token and a new refresh token.
///
/// Each refresh token works once. Presenting one that was already used revokes every token of its
/// session (it was probably stolen): both parties must sign in again.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens", body = TokenResponse),
        (status = 401, description = "`invalid_refresh_token` or `refresh_token_reused`"),
    )
)]
#[post("/auth/refresh")]
pub(super) async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let (token, from_cookie) = match refresh_token_of(&req, body.0) {
        Ok(found) => found,
        Err(e) => return Ok(cookie_session_ended(e, &state)),
    };
    let hash = secrets::hash_token(&token);
    let state2 = state.clone();
    let outcome = state
        .db
        .transaction(move |conn| {
            let invalid = || AppError::new(ErrorCode::InvalidRefreshToken, "The refresh token is invalid or expired; sign in again.");
            let Some(token) = RefreshTokenRow::find_by_hash(conn, &hash)? else { return Ok(Err(invalid())) };
            if token.used_at.is_some() || !RefreshTokenRow::mark_used(conn, token.id)? {
                // Committed (not rolled back): the family stays revoked.
                RefreshTokenRow::revoke_family(conn, &token.family_id)?;
                return Ok(Err(AppError::new(ErrorCode::RefreshTokenReused,
                    "This refresh token was already used; every session it belongs to has been signed out.",
                )));
            }
            if token.revoked_at.is_some() || token.expires_at <= crate::clock::now() {
                return Ok(Err(invalid()));
            }
            let account = AccountRow::find(conn, token.account_id)?.ok_or_else(invalid)?;
            if account.status() != AccountStatus::Activated {
                return Ok(Err(invalid()));
            }
            // "Log in as" lasts only while its partner (or admin) may still act for the customer.
            if let Some(actor_id) = token.impersonator_id {
                let actor = Principal::find(conn, actor_id)?;
                if !actor.is_some_and(|a| Scope::may_act_for(&a, &account.principal())) {
                    RefreshTokenRow::revoke_family(conn, &token.family_id)?;
                    return Ok(Err(invalid()));
                }
            }
            let kind = SessionKind {
                impersonator_id: token.impersonator_id,
                read_only: token.read_only,
                ends_at: token.session_expires_at,
            };
            Ok(Ok(issue_tokens(conn, &state2.jwt, &account, &token.family_id, kind)?))
        })
        .await?;
    match outcome {
        Ok(tokens) => Ok(token_reply(tokens, from_cookie, &state)),
        Err(e) if from_cookie => Ok(cookie_session_ended(e, &state)),
        Err(e) => Err(e.into()),
    }
}

/// The refusal of a cookie session's refresh, which also removes its cookies: the SPA's hint
/// that there is a session must not outlive it (it would be asked again on every load).
fn cookie_session_ended(refusal: AppError, state: &AppState) -> HttpResponse {
    let mut response = actix_web::ResponseError::error_response(&ApiError(refusal));
    for cookie in session_cookies("", state, true) {
        // A cookie built here always makes a valid header.
        let _ = response.add_cookie(&cookie);
    }
    response
}

/// Signs out: revokes the refresh token and every token of its session. Always 204, so that a
/// client can sign out even with an expired or unknown token.
///
/// A `refresh_token` in the body ends that session only: the browser's cookie session, if any, is
/// left alone (a "log in as" tab signs out of the customer's session, never the partner's). With
/// no token in the body, the cookie's session ends and the cookie is cleared.
#[utoipa::path(
    tag = "auth",
    request_body = RefreshRequest,
    responses((status = 204, description = "Signed out"))
)]
#[post("/auth/logout")]
pub(super) async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let signed_out = |from_cookie: bool| {
        let mut response = HttpResponse::NoContent();
        if from_cookie {
            for cookie in session_cookies("", &state, true) {
                response.cookie(cookie);
            }
        }
        response.finish()
    };
    let Ok((token, from_cookie)) = refresh_token_of(&req, body.0) else {
        return Ok(signed_out(true));
    };
    let hash = secrets::hash_token(&token);
    state
        .db
        .run(move |conn| {
            if let Some(token) = RefreshTokenRow::find_by_hash(conn, &hash)? {
                RefreshTokenRow::revoke_family(conn, &token.family_id)?;
            }
            Ok(())
        })
        .await?;
    Ok(signed_out(from_cookie))
}
