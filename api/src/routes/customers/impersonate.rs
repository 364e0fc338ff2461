//! `POST /customers/{id}/impersonate`: "log in as".

use actix_web::{post, web, HttpResponse};
use chrono::Duration;
use types::customers::{ImpersonateRequest, ImpersonationCode};
use types::ErrorCode;

use crate::auth::{secrets, Manager};
use crate::db::parse_id;
use crate::db::tokens::OneTimeTokenRow;
use crate::error::{ApiError, ApiResult, AppError};
use crate::routes::Valid;
use crate::state::AppState;

/// How long a "log in as" code can be exchanged.
pub const IMPERSONATION_CODE_SECS: i64 = 60;

/// "Log in as" (the customer icon): a one-time code, valid for 60 seconds, that a new tab
/// exchanges at `POST /auth/impersonation/exchange` for a session as the customer lasting at most
/// an hour. Only for `activated` customers that allow it (`allow_log_in_as`, their own choice);
/// every write in that session is audited with both accounts. `read_only` sessions may only
/// read.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The customer's id")),
    request_body = ImpersonateRequest,
    responses(
        (status = 201, description = "The code", body = ImpersonationCode),
        (status = 403, description = "`partners_only`, `not_while_impersonating`, or `log_in_as_disabled`: the customer does not allow it"),
        (status = 404, description = "No such customer of yours"),
        (status = 409, description = "`customer_not_activated`: pending or locked customers cannot be impersonated"),
    )
)]
#[post("/customers/{id}/impersonate")]
pub(super) async fn impersonate_customer(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<String>,
    body: Valid<ImpersonateRequest>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let read_only = body.0.read_only;
    let user = manager.0;
    if user.impersonator_id.is_some() {
        return Err(ApiError(AppError::new(
            ErrorCode::NotWhileImpersonating,
            "Sessions cannot be nested.",
        )));
    }
    let code = secrets::random_token(32);
    let hash = secrets::hash_token(&code);
    state
        .db
        .transaction(move |conn| {
            let customer = user.scope().find_customer(conn, id)?;
            crate::customers::ensure_may_log_in_as(&customer)?;
            OneTimeTokenRow::insert_impersonation(
                conn,
                id,
                user.id(),
                read_only,
                &hash,
                Duration::seconds(IMPERSONATION_CODE_SECS),
            )?;
            Ok(user.actor().record(
                conn,
                "customer.impersonate",
                "customer",
                Some(id.to_string()),
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(ImpersonationCode {
        url: format!("/impersonate?code={code}"),
        code,
        expires_in: IMPERSONATION_CODE_SECS,
    }))
}
