//! Paying a subscription's open invoice (idempotent: it moves money).

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use types::billing::{PayResult, PaySubscription};
use types::webhooks::WebhookEventType as Event;
use types::ErrorCode;

use super::act::*;
use crate::auth::AuthUser;
use crate::billing::{self, Charged};
use crate::db::invoices::{InvoiceRow, PaymentRow};
use crate::db::parse_id;
use crate::db::subscriptions::{SubscriptionChanges, SubscriptionRow};
use crate::error::{ApiResult, AppError};
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
        if !sub.status.is_live() {
            return Err(billing::subscription_ended());
        }
        let method = body.payment_method;
        if !billing.provider.knows(&method) {
            return Err(AppError::invalid_field(
                "payment_method",
                "is not a payment method the payment provider knows",
            ));
        }
        let open = InvoiceRow::open_for(conn, id)?;
        if let Some(invoice) = &open {
            if PaymentRow::pending_for(conn, invoice.id)? {
                return Err(AppError::new(
                    ErrorCode::PaymentPending,
                    "A payment of this invoice is still being processed by the payment \
                     provider; its result will show here when it arrives.",
                ));
            }
        }
        let method = billing::save_method(conn, &billing, &sub, &method, now)?;
        let sub = SubscriptionRow::update(
            conn,
            id,
            &SubscriptionChanges {
                payment_method: Some(method.clone()),
                ..Default::default()
            },
            now,
        )?;
        let actor = user.actor();
        let payment = match open {
            None => None,
            Some(invoice) => {
                match billing::charge(conn, &billing, &sub, &invoice, Some(&method), &actor, now)? {
                    Charged::Paid(payment) | Charged::Pending(payment) => Some(*payment),
                    Charged::Failed { code, message, .. } => {
                        let declined =
                            AppError::new(ErrorCode::CardDeclined, format!("{message} ({code})"));
                        return Outcome::problem(&declined);
                    }
                }
            }
        };
        actor.record(
            conn,
            "subscription.payment_method",
            "subscription",
            Some(id.to_string()),
        )?;
        let sub = SubscriptionRow::find(conn, crate::policy::Scope::All, id)?;
        let result = PayResult {
            subscription: billing::one_to_wire(conn, &billing, &sub, now)?,
            payment: payment.as_ref().map(PaymentRow::to_wire),
        };
        billing::emit_subscription_wire(
            conn,
            &sub,
            Event::SubscriptionUpdated,
            &result.subscription,
        )?;
        Outcome::json(StatusCode::OK, &result)
    })
    .await
}
