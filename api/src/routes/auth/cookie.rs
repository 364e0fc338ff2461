//! A browser's refresh token lives in an HttpOnly cookie scoped to `/api/v1/auth`; beside it, a
//! cookie scripts may read says only that there is one (`bo_session=1`), so that a visitor who
//! never signed in is not asked to refresh a session it does not have (a 401 on every first load).

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

/// Name of the cookie that says a browser has a session cookie (it holds nothing secret: `1`).
pub const SESSION_HINT_COOKIE: &str = "bo_session";

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

/// The session's cookies, set or (`clear`) removed: the refresh token — HttpOnly,
/// SameSite=Strict, only sent to `/api/v1/auth` — and the hint that it exists, readable by the
/// SPA on every page. Both `Secure` when served over https, and both last as long as the session.
pub(super) fn session_cookies(value: &str, state: &AppState, clear: bool) -> [Cookie<'static>; 2] {
    let secure = state.settings.public_url().starts_with("https://");
    let age = CookieDuration::days(if clear { 0 } else { REFRESH_TTL_DAYS });
    let refresh = Cookie::build(REFRESH_COOKIE, value.to_owned())
        .path("/api/v1/auth")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(age)
        .finish();
    let hint = Cookie::build(SESSION_HINT_COOKIE, if clear { "" } else { "1" })
        .path("/")
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(age)
        .finish();
    [refresh, hint].map(|mut cookie| {
        if clear {
            cookie.make_removal();
        }
        cookie
    })
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
            for cookie in session_cookies(&token, state, false) {
                response.cookie(cookie);
            }
        }
    }
    response.json(tokens)
}
