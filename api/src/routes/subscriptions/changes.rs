//! Changing a subscription: its plan, cancelling, a coupon.

use actix_web::{patch, post, web, HttpResponse};
use types::billing::{ApplyCoupon, CancelSubscription, Subscription, UpdateSubscription};

use super::act::*;
use crate::auth::AuthUser;
use crate::billing::{self};
use crate::db::parse_id;
use crate::db::plans::PlanRow;
use crate::db::subscriptions::{SubscriptionChanges, SubscriptionRow};
use crate::error::{ApiResult, AppError};
use crate::routes::Valid;
use crate::state::AppState;

/// Changes the plan from the next period (the app takes the new plan's edition then; the same
/// plan as now cancels a pending change), or keeps a subscription that was to end
/// (`cancel_at_period_end: false`).
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The subscription's id")),
    request_body = UpdateSubscription,
    responses(
        (status = 200, description = "Changed", body = Subscription,
            headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such subscription of yours"),
        (status = 409, description = "`subscription_ended`"),
        (status = 422, description = "`validation_failed`: `plan_id` names no plan, an archived one, or one in another currency than a discount's amount; `cancel_at_period_end` may only be set to false here (cancel with `POST …/cancel`)"),
    )
)]
#[patch("/subscriptions/{id}")]
pub(super) async fn update_subscription(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Valid<UpdateSubscription>,
) -> ApiResult<HttpResponse> {
    act(
        state,
        user,
        &path,
        "subscription.update",
        move |conn, _, sub, now| {
            if !sub.status.is_live() {
                return Err(billing::subscription_ended());
            }
            let mut changes = SubscriptionChanges::default();
            if body.0.cancel_at_period_end == Some(true) {
                return Err(AppError::invalid_field(
                    "cancel_at_period_end",
                    "can only be set to false here: cancel with POST /subscriptions/{id}/cancel",
                ));
            }
            if body.0.cancel_at_period_end == Some(false) {
                changes.cancel_at_period_end = Some(false);
                changes.canceled_at = Some(None);
            }
            if let Some(plan_id) = &body.0.plan_id {
                let plan = parse_id(plan_id)
                    .and_then(|p| PlanRow::find(conn, p))
                    .ok()
                    .filter(|p| p.active)
                    .ok_or_else(|| {
                        AppError::invalid_field("plan_id", "names no plan taking subscriptions")
                    })?;
                let discount_currency = billing::discount_of(sub, now)
                    .and_then(|d| d.currency)
                    .filter(|c| !c.eq_ignore_ascii_case(&plan.currency));
                if discount_currency.is_some() {
                    return Err(AppError::invalid_field(
                        "plan_id",
                        "bills in another currency than the subscription's discount",
                    ));
                }
                changes.next_plan_id = Some((plan.id != sub.plan_id).then_some(plan.id));
            }
            Ok(SubscriptionRow::update(conn, sub.id, &changes, now)?)
        },
    )
    .await
}

/// Cancels: at the end of the period (it runs and keeps its edition until then), or now (open
/// invoices are voided and the app goes back to the Basic edition).
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The subscription's id")),
    request_body = CancelSubscription,
    responses(
        (status = 200, description = "Canceled (or set to end)", body = Subscription),
        (status = 404, description = "No such subscription of yours"),
        (status = 409, description = "`subscription_ended`"),
    )
)]
#[post("/subscriptions/{id}/cancel")]
pub(super) async fn cancel_subscription(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Valid<CancelSubscription>,
) -> ApiResult<HttpResponse> {
    act(
        state,
        user,
        &path,
        "subscription.cancel",
        move |conn, billing, sub, now| {
            billing::cancel(conn, billing, sub, body.0.at_period_end, now)
        },
    )
    .await
}

/// Redeems a coupon: its discount applies to the invoices of periods that start while it lasts
/// (`once`: the next invoice; `repeating`: those of the next N months; `forever`). A discount in
/// force is never dropped silently: another coupon is 409 unless `replace` is `true`.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The subscription's id")),
    request_body = ApplyCoupon,
    responses(
        (status = 200, description = "Applied", body = Subscription),
        (status = 404, description = "No such subscription of yours"),
        (status = 409, description = "`coupon_already_applied`, `subscription_ended`"),
        (status = 422, description = "`coupon_not_found`, `coupon_expired`, `coupon_exhausted`, `coupon_not_applicable`, `coupon_currency_mismatch` (on `code`)"),
    )
)]
#[post("/subscriptions/{id}/coupon")]
pub(super) async fn apply_coupon(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Valid<ApplyCoupon>,
) -> ApiResult<HttpResponse> {
    act(
        state,
        user,
        &path,
        "subscription.coupon",
        move |conn, _, sub, now| {
            billing::apply_coupon(conn, sub, ("code", &body.0.code), body.0.replace, now)
        },
    )
    .await
}
