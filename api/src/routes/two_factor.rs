//! The signed-in person's second factor: an authenticator app, enrolled and confirmed, turned off,
//! and its recovery codes (`/me/two-factor...`). Only the person itself, never during "log in
//! as".

use actix_web::{delete, get, post, web, HttpResponse};
use types::auth::{RecoveryCodes, TotpEnrolment, TwoFactorCode, TwoFactorStatus};

use crate::auth::{two_factor, AuthUser};
use crate::db::accounts::AccountRow;
use crate::db::audit::Actor;
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult, AppError, AppResult};
use crate::routes::{Register, Valid};
use crate::state::AppState;
use types::ErrorCode;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(two_factor_status)
        .service(start_totp_enrolment)
        .service(confirm_totp)
        .service(regenerate_recovery_codes)
        .service(disable_two_factor);
}

const WHAT: &str = "manage the account's second factor";

/// Runs `change` on the signed-in person's own account in one transaction, as that person (never
/// during "log in as").
async fn on_own_account<T: Send + 'static>(
    state: &AppState,
    user: &AuthUser,
    change: impl FnOnce(&mut DbConn, &Actor, &AccountRow) -> AppResult<T> + Send + 'static,
) -> ApiResult<T> {
    user.holder_only(WHAT)?;
    let (id, actor) = (user.id(), user.actor());
    Ok(state
        .db
        .transaction(move |conn| {
            let account = AccountRow::find(conn, id)?.ok_or_else(AppError::not_found)?;
            change(conn, &actor, &account)
        })
        .await?)
}

/// `on_own_account` for a change that takes a code of the enrolled app (or a recovery code):
/// wrong codes count against the person as at sign-in (10 in 15 minutes, then 429), so that a
/// stolen session cannot guess its way to turning the second factor off.
async fn with_code<T: Send + 'static>(
    state: &AppState,
    user: &AuthUser,
    change: impl FnOnce(&mut DbConn, &Actor, &AccountRow) -> AppResult<T> + Send + 'static,
) -> ApiResult<T> {
    let person = user.id().to_string();
    state
        .failed_second_factors
        .check(&person)
        .map_err(AppError::rate_limited)?;
    let result = on_own_account(state, user, change).await;
    if let Err(ApiError(e)) = &result {
        if e.code() == ErrorCode::InvalidCode {
            state.failed_second_factors.count(&person);
        }
    }
    result
}

/// Whether the signed-in person signs in with a second factor, and how many recovery codes it
/// has left.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Where it stands", body = TwoFactorStatus),
        (status = 403, description = "`not_while_impersonating`"),
    )
)]
#[get("/me/two-factor")]
async fn two_factor_status(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    user.holder_only(WHAT)?;
    let id = user.id();
    let status = state
        .db
        .run(move |conn| two_factor::status(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(status))
}

/// Starts enrolling an authenticator app (RFC 6238: SHA-1, 6 digits, 30 s): the secret, its
/// `otpauth://` address and that address's QR code. Nothing changes at sign-in until a code
/// from the app confirms it (`POST me/two-factor/totp/confirm`); starting again replaces the
/// secret.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The secret to enrol", body = TotpEnrolment),
        (status = 403, description = "`not_while_impersonating`"),
        (status = 409, description = "`two_factor_already_on`"),
    )
)]
#[post("/me/two-factor/totp")]
async fn start_totp_enrolment(
    state: web::Data<AppState>,
    user: AuthUser,
) -> ApiResult<HttpResponse> {
    let enrolment = on_own_account(&state, &user, |conn, _, account| {
        two_factor::start(conn, account, crate::clock::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(enrolment))
}

/// Confirms the enrolment with the code the app shows: two-factor sign-in is on from now on, and
/// the answer holds ten recovery codes, shown this once.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = TwoFactorCode,
    responses(
        (status = 200, description = "On; the recovery codes", body = RecoveryCodes),
        (status = 403, description = "`not_while_impersonating`"),
        (status = 409, description = "`two_factor_not_started` or `two_factor_already_on`"),
        (status = 422, description = "`validation_failed`: not the code the app shows now"),
    )
)]
#[post("/me/two-factor/totp/confirm")]
async fn confirm_totp(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Valid<TwoFactorCode>,
) -> ApiResult<HttpResponse> {
    let code = body.0.code;
    let recovery_codes = on_own_account(&state, &user, move |conn, actor, account| {
        two_factor::confirm(conn, actor, account, &code, crate::clock::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(RecoveryCodes { recovery_codes }))
}

/// Ten new recovery codes, given a code from the app; the old ones stop working.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = TwoFactorCode,
    responses(
        (status = 200, description = "The new recovery codes", body = RecoveryCodes),
        (status = 401, description = "`invalid_code`"),
        (status = 403, description = "`not_while_impersonating`"),
        (status = 409, description = "`two_factor_off`"),
        (status = 429, description = "`rate_limited`: too many wrong codes for this person"),
    )
)]
#[post("/me/two-factor/recovery-codes")]
async fn regenerate_recovery_codes(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Valid<TwoFactorCode>,
) -> ApiResult<HttpResponse> {
    let code = body.0.code;
    let recovery_codes = with_code(&state, &user, move |conn, actor, account| {
        two_factor::regenerate_recovery_codes(conn, actor, account, &code, crate::clock::now())
    })
    .await?;
    Ok(HttpResponse::Ok().json(RecoveryCodes { recovery_codes }))
}

/// Turns two-factor sign-in off, given a code from the app or a recovery code.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = TwoFactorCode,
    responses(
        (status = 204, description = "Off"),
        (status = 401, description = "`invalid_code`"),
        (status = 403, description = "`not_while_impersonating`"),
        (status = 409, description = "`two_factor_off`"),
        (status = 429, description = "`rate_limited`: too many wrong codes for this person"),
    )
)]
#[delete("/me/two-factor")]
async fn disable_two_factor(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Valid<TwoFactorCode>,
) -> ApiResult<HttpResponse> {
    let code = body.0.code;
    with_code(&state, &user, move |conn, actor, account| {
        two_factor::disable(conn, actor, account, &code, crate::clock::now())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
