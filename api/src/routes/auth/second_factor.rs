//! `POST /auth/login/two-factor`: the second step of a sign-in.

use actix_web::{post, web, HttpRequest, HttpResponse};
use types::auth::{SecondFactor, TokenResponse};
use types::ErrorCode;

use super::cookie::token_reply;
use crate::auth::extractor::origin;
use crate::auth::sessions::sign_in;
use crate::auth::two_factor::{self, Answer};
use crate::error::{ApiError, ApiResult, AppError};
use crate::routes::Valid;
use crate::state::AppState;

/// Finishes a sign-in that answered `two_factor_required`: the challenge with the code the
/// authenticator app shows (`code`) or a recovery code (`recovery_code`, used up). A wrong code
/// is 401 `invalid_code` (the challenge takes 5, the person 10 in 15 minutes: then 429); an
/// unknown, finished or expired challenge (5 minutes) is 401 `invalid_challenge`. An app's code
/// is never accepted twice.
#[utoipa::path(
    tag = "auth",
    request_body = SecondFactor,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "`invalid_code` or `invalid_challenge`"),
        (status = 422, description = "`validation_failed`: neither or both of `code` and `recovery_code`"),
        (status = 429, description = "`rate_limited`: too many wrong codes for this person"),
    )
)]
#[post("/auth/login/two-factor")]
pub(super) async fn sign_in_second_step(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<SecondFactor>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let use_cookie = body.use_cookie;
    let origin = origin(&req, state.settings.trust_proxy);
    let state2 = state.clone();
    let outcome = state
        .db
        .transaction(move |conn| {
            let now = crate::clock::now();
            let may_try = |account_id: i64| {
                state2
                    .failed_second_factors
                    .check(&account_id.to_string())
                    .map_err(AppError::rate_limited)
            };
            let codes = (body.code.as_deref(), body.recovery_code.as_deref());
            match two_factor::answer(conn, &body.challenge, codes, &may_try, now)? {
                Answer::Wrong { account_id } => Ok(Err(account_id)),
                Answer::Passed(account) => {
                    let tokens = sign_in(conn, &state2.jwt, &account, &origin)?;
                    state2.failed_second_factors.clear(&account.id.to_string());
                    Ok(Ok(tokens))
                }
            }
        })
        .await?;
    match outcome {
        Ok(tokens) => Ok(token_reply(tokens, use_cookie, &state)),
        // Counted once the wrong try is committed against its challenge.
        Err(account_id) => {
            state.failed_second_factors.count(&account_id.to_string());
            Err(ApiError(AppError::new(
                ErrorCode::InvalidCode,
                "The code is wrong, or was used already: type the one the app shows now.",
            )))
        }
    }
}
