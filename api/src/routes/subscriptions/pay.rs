//! Paying a subscription's open invoice (idempotent: it moves money).

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use types::billing::{PayResult, PaySubscription};

use super::act::*;
use crate::auth::AuthUser;
use crate::billing::{self};
use crate::db::parse_id;
use crate::error::ApiResult;
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::routes::Valid;
use crate::state::AppState;

/// Pays the open invoice with a payment method and saves the method for renewals (with nothing
/// owed, only saves it). Send an `Idempotency-Key` to retry safely: the same key and body replay
/// the first answer (`Idempotent-Replayed: true`) and charge nothing more. A declined card is
/// 402 `card_declined` (the failed attempt is recorded, and replayed like a success). With the
/// `stripe` provider a payment may come back `pending` (a bank debit processing): Stripe's
/// webhook settles it later, and paying again meanwhile is 409 `payment_pending`.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The subscription's id"),
    ),
    request_body = PaySubscription,
    responses(
        (status = 200, description = "Paid (or payment method saved)", body = PayResult),
        (status = 402, description = "`card_declined`: the detail gives the bank's reason"),
        (status = 404, description = "No such subscription of yours"),
        (status = 409, description = "`subscription_ended`; `payment_pending`: an earlier payment is still processing"),
        (status = 422, description = "`validation_failed` (a `payment_method` the provider does not know)"),
        (status = 503, description = "`payment_provider_unavailable`: the provider did not answer, nothing was recorded, retry (with the same key); `database_unavailable`"),
    )
)]
#[post("/subscriptions/{id}/pay")]
pub(super) async fn pay(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Valid<PaySubscription>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let now = state.clock.now();
    let billing = state.billing.clone();
    let owner = KeyOwner::Account(user.id());
    idempotency::run(&state, &req, owner, body.0, move |conn, body| {
        let sub = locked(conn, &user, id)?;
        let who = (&*billing, &user.actor());
        let result = match billing::pay_with(conn, who, &sub, &body.payment_method, now)? {
            Ok(result) => result,
            Err(declined) => return Outcome::problem(&declined),
        };
        Outcome::json(StatusCode::OK, &result)
    })
    .await
}
