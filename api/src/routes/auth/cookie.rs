//! A browser's refresh token lives in an HttpOnly cookie scoped to `/api/v1/auth`.

use actix_web::cookie::time::Duration as CookieDuration;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::{HttpRequest, HttpResponse};
use types::auth::{RefreshRequest, TokenResponse};
use types::ErrorCode;

use crate::auth::sessions::REFRESH_TTL_DAYS;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// Name of the cookie that holds a browser's refresh token.
const REFRESH_COOKIE: &str = "bo_refresh";

/// The refresh token from the body, or else from the cookie (then `true`).
pub(super) fn refresh_token_of(
    req: &HttpRequest,
    body: RefreshRequest,
) -> AppResult<(String, bool)> {
    match body.refresh_token {
        Some(token) => Ok((token, false)),
        None => req
            .cookie(REFRESH_COOKIE)
            .map(|c| (c.value().to_owned(), true))
            .filter(|(v, _)| !v.is_empty())
            .ok_or_else(|| {
                AppError::new(
                    ErrorCode::InvalidRefreshToken,
                    "No refresh token: send `refresh_token` or the session cookie.",
                )
            }),
    }
}

/// HttpOnly, SameSite=Strict, only sent to `/api/v1/auth`; `Secure` when served over https.
pub(super) fn refresh_cookie(value: &str, state: &AppState, clear: bool) -> Cookie<'static> {
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
pub(super) fn token_reply(
    mut tokens: TokenResponse,
    as_cookie: bool,
    state: &AppState,
) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if as_cookie {
        if let Some(token) = tokens.refresh_token.take() {
            response.cookie(refresh_cookie(&token, state, false));
        }
    }
    response.json(tokens)
}
