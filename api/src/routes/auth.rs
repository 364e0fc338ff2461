//! Sign-up, activation, sign-in and sessions (`/auth/...`).

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{post, web, HttpRequest, HttpResponse};
use types::accounts::{Account, AccountStatus, Role};
use types::auth::{
    ActivateRequest, LoginRequest, RefreshRequest, RegisterAs, RegisterRequest, TokenResponse,
};
use types::customers::ImpersonationExchange;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::extractor::client_ip;
use crate::auth::password::{self, hash_off_thread as hash_password};
use crate::auth::secrets;
use crate::auth::sessions::{
    issue_tokens, start_session, SessionKind, IMPERSONATION_SESSION_MINUTES, REFRESH_TTL_DAYS,
};
use crate::db::accounts::{AccountChanges, AccountRow};
use crate::db::audit::Actor;
use crate::db::tokens::{OneTimeTokenRow, Purpose, RefreshTokenRow};
use crate::error::{customer_not_activated, invalid_link, AppError, AppResult};
use crate::onboarding::{create_account, AccountSpec};
use crate::policy::Scope;
use crate::routes::Valid;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(exchange_impersonation)
        .service(register)
        .service(activate)
        .service(login)
        .service(refresh)
        .service(logout);
}

/// Registers a new customer or partner account.
///
/// The account starts `pending_activation`; an email with an activation link is sent (or, without
/// SMTP, written to the outbox and the log).
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created, pending activation", body = Account),
        (status = 409, description = "`email_taken`: another account uses this email"),
        (status = 429, description = "Too many attempts from this address"),
    )
)]
#[post("/auth/register")]
async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<RegisterRequest>,
) -> AppResult<HttpResponse> {
    let body = body.0;
    let ip = client_ip(&req, state.settings.trust_proxy);
    state
        .login_by_ip
        .hit(ip.as_deref().unwrap_or("-"))
        .map_err(AppError::rate_limited)?;
    let password_hash = hash_password(body.password.clone()).await?;
    let state2 = state.clone();
    let account = state
        .db
        .transaction(move |conn| {
            let spec = AccountSpec {
                email: body.email,
                password_hash: Some(password_hash),
                role: match body.role.unwrap_or(RegisterAs::Customer) {
                    RegisterAs::Customer => Role::Customer,
                    RegisterAs::Partner => Role::Partner,
                },
                status: AccountStatus::PendingActivation,
                first_name: body.first_name,
                last_name: body.last_name,
                company: body.company.filter(|c| !c.trim().is_empty()),
                phone: None,
                country: None,
                partner_id: None,
            };
            let account = create_account(conn, &state2.mailer, &spec)?;
            let actor = Actor::for_account(&account, None, ip);
            actor.record(
                conn,
                "account.register",
                account.role().as_str(),
                Some(account.id.to_string()),
            )?;
            Ok(account)
        })
        .await?;
    Ok(HttpResponse::Created().json(account.to_wire()))
}

/// Activates an account with the token from its email link, setting its password when the link
/// was a set-password one (then `password` is required).
#[utoipa::path(
    tag = "auth",
    request_body = ActivateRequest,
    responses(
        (status = 200, description = "Account activated", body = Account),
        (status = 403, description = "`account_locked`: the account is locked"),
        (status = 404, description = "`invalid_link`: unknown, used or expired token"),
    )
)]
#[post("/auth/activate")]
async fn activate(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<ActivateRequest>,
) -> AppResult<HttpResponse> {
    let body = body.0;
    let new_hash = match body.password.clone() {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };
    let ip = client_ip(&req, state.settings.trust_proxy);
    let token_hash = secrets::hash_token(&body.token);
    let account = state
        .db
        .transaction(move |conn| {
            let token = OneTimeTokenRow::redeem(
                conn,
                &token_hash,
                &[Purpose::Activation, Purpose::SetPassword],
            )?
            .ok_or_else(invalid_link)?;
            let account =
                AccountRow::find(conn, token.account_id)?.ok_or_else(AppError::not_found)?;
            if account.status() == AccountStatus::Locked {
                return Err(AppError::forbidden(
                    "account_locked",
                    "This account is locked.",
                ));
            }
            let needs_password =
                token.purpose == Purpose::SetPassword.as_str() || account.password_hash.is_none();
            if needs_password && new_hash.is_none() {
                return Err(AppError::invalid_field(
                    "password",
                    "choose a password to finish setting up the account",
                ));
            }
            let changes = AccountChanges {
                status: Some(AccountStatus::Activated.as_str().into()),
                password_hash: new_hash.map(Some),
                ..AccountChanges::default()
            };
            let account = AccountRow::update(conn, account.id, &changes)?;
            let actor = Actor::for_account(&account, None, ip);
            actor.record(
                conn,
                "account.activate",
                account.role().as_str(),
                Some(account.id.to_string()),
            )?;
            Ok(account)
        })
        .await?;
    Ok(HttpResponse::Ok().json(account.to_wire()))
}

/// Signs in with email and password.
///
/// A wrong email or password gets the same 401 either way. A correct password on an account that
/// is not usable gets 403 `account_not_activated` or `account_locked`. Rate limited per IP address
/// and per email (429 with `Retry-After`).
#[utoipa::path(
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "`invalid_credentials`: wrong email or password"),
        (status = 403, description = "`account_not_activated` or `account_locked`"),
        (status = 429, description = "Too many attempts"),
    )
)]
#[post("/auth/login")]
async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<LoginRequest>,
) -> AppResult<HttpResponse> {
    let body = body.0;
    let email = body.email.trim().to_lowercase();
    let ip = client_ip(&req, state.settings.trust_proxy);
    state
        .login_by_ip
        .hit(ip.as_deref().unwrap_or("-"))
        .map_err(AppError::rate_limited)?;
    state
        .login_by_email
        .hit(&email)
        .map_err(AppError::rate_limited)?;

    // Three steps so that no database connection is held while argon2 runs.
    let account = state
        .db
        .run(move |conn| AccountRow::find_by_email(conn, &email))
        .await?;
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let password_ok =
        web::block(move || password::verify(&body.password, stored.as_deref())).await?;
    let account = match account {
        Some(account) if password_ok => account,
        _ => {
            return Err(AppError::unauthorized(
                "invalid_credentials",
                "The email or password is wrong.",
            ))
        }
    };
    match account.status() {
        AccountStatus::PendingActivation => {
            return Err(AppError::forbidden(
                "account_not_activated",
                "This account is not activated yet: open the link in the activation email first.",
            ))
        }
        AccountStatus::Locked => {
            return Err(AppError::forbidden(
                "account_locked",
                "This account is locked.",
            ))
        }
        AccountStatus::Activated => {}
    }
    let state2 = state.clone();
    let tokens = state
        .db
        .transaction(move |conn| {
            let tokens = start_session(conn, &state2, &account, SessionKind::default())?;
            let actor = Actor::for_account(&account, None, ip);
            actor.record(conn, "session.create", "session", None)?;
            Ok(tokens)
        })
        .await?;
    Ok(token_reply(tokens, body.use_cookie, &state))
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
async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<RefreshRequest>,
) -> AppResult<HttpResponse> {
    let (token, from_cookie) = refresh_token_of(&req, body.0)?;
    let hash = secrets::hash_token(&token);
    let state2 = state.clone();
    let outcome = state
        .db
        .transaction(move |conn| {
            let invalid = || AppError::unauthorized("invalid_refresh_token", "The refresh token is invalid or expired; sign in again.");
            let Some(token) = RefreshTokenRow::find_by_hash(conn, &hash)? else { return Ok(Err(invalid())) };
            if token.used_at.is_some() || !RefreshTokenRow::mark_used(conn, token.id)? {
                // Committed (not rolled back): the family stays revoked.
                RefreshTokenRow::revoke_family(conn, &token.family_id)?;
                return Ok(Err(AppError::unauthorized(
                    "refresh_token_reused",
                    "This refresh token was already used; every session it belongs to has been signed out.",
                )));
            }
            if token.revoked_at.is_some() || token.expires_at <= crate::db::now() {
                return Ok(Err(invalid()));
            }
            let account = AccountRow::find(conn, token.account_id)?.ok_or_else(invalid)?;
            if account.status() != AccountStatus::Activated {
                return Ok(Err(invalid()));
            }
            let kind = SessionKind {
                impersonator_id: token.impersonator_id,
                read_only: token.read_only,
                ends_at: token.session_expires_at,
            };
            Ok(Ok(issue_tokens(conn, &state2, &account, &token.family_id, kind)?))
        })
        .await?;
    Ok(token_reply(outcome?, from_cookie, &state))
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
async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<RefreshRequest>,
) -> AppResult<HttpResponse> {
    let signed_out = |from_cookie: bool| {
        let mut response = HttpResponse::NoContent();
        if from_cookie {
            response.cookie(refresh_cookie("", &state, true));
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

/// Exchanges a "log in as" code (from `POST /customers/{id}/impersonate`) for a session as that
/// customer. The access token names the partner in its `act` claim; the session ends within an
/// hour and refreshing never extends it. The code works once, for 60 seconds.
#[utoipa::path(
    tag = "auth",
    request_body = ImpersonationExchange,
    responses(
        (status = 200, description = "A session as the customer", body = TokenResponse),
        (status = 404, description = "`invalid_link`: unknown, used or expired code"),
        (status = 409, description = "`customer_not_activated`"),
    )
)]
#[post("/auth/impersonation/exchange")]
async fn exchange_impersonation(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<ImpersonationExchange>,
) -> AppResult<HttpResponse> {
    let body = body.0;
    let hash = secrets::hash_token(&body.code);
    let ip = client_ip(&req, state.settings.trust_proxy);
    let state2 = state.clone();
    let tokens = state
        .db
        .transaction(move |conn| {
            let code = OneTimeTokenRow::redeem(conn, &hash, &[Purpose::Impersonation])?
                .ok_or_else(invalid_link)?;
            let customer = AccountRow::find(conn, code.account_id)?.ok_or_else(invalid_link)?;
            // The partner (or admin) must still be able to act, and still manage this customer.
            let actor = code
                .actor_id
                .map(|id| AccountRow::find(conn, id))
                .transpose()?
                .flatten()
                .filter(|a| a.status() == AccountStatus::Activated)
                .filter(|a| Scope::for_account(a.id, a.role()).manages_customer(&customer))
                .ok_or_else(invalid_link)?;
            if customer.status() != AccountStatus::Activated {
                return Err(customer_not_activated());
            }
            let kind = SessionKind {
                impersonator_id: Some(actor.id),
                read_only: code.read_only,
                ends_at: Some(
                    crate::db::now() + chrono::Duration::minutes(IMPERSONATION_SESSION_MINUTES),
                ),
            };
            let tokens = start_session(conn, &state2, &customer, kind)?;
            Actor::for_account(&customer, Some(actor.id), ip).record(
                conn,
                "session.impersonate",
                "session",
                None,
            )?;
            Ok(tokens)
        })
        .await?;
    Ok(token_reply(tokens, body.use_cookie, &state))
}

/// Name of the cookie that holds a browser's refresh token.
pub const REFRESH_COOKIE: &str = "bo_refresh";

/// The refresh token from the body, or else from the cookie (then `true`).
fn refresh_token_of(req: &HttpRequest, body: RefreshRequest) -> AppResult<(String, bool)> {
    match body.refresh_token {
        Some(token) => Ok((token, false)),
        None => req
            .cookie(REFRESH_COOKIE)
            .map(|c| (c.value().to_owned(), true))
            .filter(|(v, _)| !v.is_empty())
            .ok_or_else(|| {
                AppError::unauthorized(
                    "invalid_refresh_token",
                    "No refresh token: send `refresh_token` or the session cookie.",
                )
            }),
    }
}

/// HttpOnly, SameSite=Strict, only sent to `/api/v1/auth`; `Secure` when served over https.
fn refresh_cookie(value: &str, state: &AppState, clear: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build(REFRESH_COOKIE, value.to_owned())
        .path("/api/v1/auth")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings.public_url().starts_with("https://"))
        .max_age(CookieDuration::days(if clear {
            0
        } else {
            REFRESH_TTL_DAYS
        }))
        .finish();
    if clear {
        cookie.make_removal();
    }
    cookie
}

/// 200 with the tokens; for a cookie session the refresh token goes to the cookie, not the body.
fn token_reply(mut tokens: TokenResponse, as_cookie: bool, state: &AppState) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if as_cookie {
        if let Some(token) = tokens.refresh_token.take() {
            response.cookie(refresh_cookie(&token, state, false));
        }
    }
    response.json(tokens)
}
