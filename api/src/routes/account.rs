//! The signed-in account as a whole, as its holder decides it (`/account`): whether its partner
//! may "log in as" it.

use actix_web::{get, patch, web, HttpResponse};
use types::accounts::{Account, UpdateAccount};

use crate::auth::AuthUser;
use crate::db::accounts::AccountRow;
use crate::error::{ApiResult, AppError};
use crate::routes::{Register, Valid};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(get_account).service(update_account);
}

/// The signed-in account (the same record as `GET me`).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, description = "The account", body = Account))
)]
#[get("/account")]
async fn get_account(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let id = user.id();
    let account = state
        .db
        .run(move |conn| AccountRow::find(conn, id)?.ok_or_else(AppError::not_found))
        .await?;
    Ok(HttpResponse::Ok().json(account.to_wire()))
}

/// Decides for the account: `allow_log_in_as` (customers only) lets its partner and the
/// administrators "log in as" it, or not — switching it off ends their "log in as" sessions
/// running now. Only the account's holder decides, never during "log in as".
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = UpdateAccount,
    responses(
        (status = 200, description = "The account", body = Account),
        (status = 403, description = "`not_while_impersonating`"),
        (status = 422, description = "`validation_failed`: `allow_log_in_as` on an account that is not a customer"),
    )
)]
#[patch("/account")]
async fn update_account(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Valid<UpdateAccount>,
) -> ApiResult<HttpResponse> {
    user.holder_only("decide who may log in as the account")?;
    let (id, actor, body) = (user.id(), user.actor(), body.0);
    let account = state
        .db
        .transaction(move |conn| crate::customers::decide(conn, &actor, id, &body))
        .await?;
    Ok(HttpResponse::Ok().json(account.to_wire()))
}
