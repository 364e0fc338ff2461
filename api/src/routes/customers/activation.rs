//! `POST /customers/{id}/resend-activation`: a new activation email for a pending customer.

use actix_web::{post, web, HttpResponse};
use types::accounts::AccountStatus;
use types::ErrorCode;

use crate::auth::Manager;
use crate::db::parse_id;
use crate::db::tokens::Purpose;
use crate::error::{ApiResult, AppError};
use crate::onboarding::send_link;
use crate::state::AppState;

/// Sends the activation email of a customer that has not activated yet again, with a new link
/// (the earlier ones stop working). 409 `customer_not_pending` for a customer that is activated
/// or locked; 429 beyond `ACCOUNT_MAILS_PER_HOUR` emails an hour to one address.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The customer's id")),
    responses(
        (status = 202, description = "The email is on its way (see the outbox)"),
        (status = 403, description = "`partners_only`"),
        (status = 404, description = "No such customer of yours"),
        (status = 409, description = "`customer_not_pending`: the customer is not pending activation"),
        (status = 429, description = "`rate_limited`: enough emails went to this address this hour"),
    )
)]
#[post("/customers/{id}/resend-activation")]
pub(super) async fn resend_activation(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let user = manager.0;
    let state2 = state.clone();
    state
        .db
        .transaction(move |conn| {
            let customer = user.scope().find_customer(conn, id)?;
            if customer.status() != AccountStatus::PendingActivation {
                return Err(AppError::new(
                    ErrorCode::CustomerNotPending,
                    "Only a customer that has not activated yet gets an activation email.",
                ));
            }
            state2
                .mails_per_address
                .hit(&customer.email)
                .map_err(AppError::rate_limited)?;
            send_link(conn, &state2.mailer, &customer, Purpose::Activation)?;
            Ok(user.actor().record(
                conn,
                "customer.resend_activation",
                "customer",
                Some(id.to_string()),
            )?)
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}
