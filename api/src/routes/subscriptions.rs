//! "Billing Subscriptions Management": an app's subscription (`/apps/{id}/subscription`) and the
//! subscriptions within reach (`/subscriptions…`): change of plan, cancel, coupons, pay.

use crate::routes::Register;
use actix_web::http::StatusCode;
use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use types::billing::{
    ApplyCoupon, CancelSubscription, CreateSubscription, PayResult, PaySubscription, Payment,
    PaymentFilter, PreviewQuery, Subscription, SubscriptionFilter, UpcomingCharge,
    UpdateSubscription,
};
use types::webhooks::WebhookEventType as Event;
use types::{Page, PageQuery};

use crate::auth::AuthUser;
use crate::billing::{self, Billing, Charged};
use crate::db::invoices::{InvoiceRow, PaymentRow};
use crate::db::page::Paging;
use crate::db::plans::PlanRow;
use crate::db::subscriptions::{SubscriptionChanges, SubscriptionRow};
use crate::db::{parse_id, DbConn};
use crate::error::{ApiResult, AppError, AppResult};
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::routes::{json_with_etag, valid_query, Valid};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(subscribe)
        .service(app_subscription)
        .service(preview)
        .service(list_subscriptions)
        .service(get_subscription)
        .service(update_subscription)
        .service(cancel_subscription)
        .service(apply_coupon)
        .service(pay)
        .service(subscription_payments);
}

/// The subscription `id` within the caller's reach, locked for the transaction.
fn locked(conn: &mut DbConn, user: &AuthUser, id: i64) -> AppResult<SubscriptionRow> {
    SubscriptionRow::find(conn, user.scope(), id)?;
    Ok(SubscriptionRow::lock(conn, id)?)
}

fn respond(status: StatusCode, sub: &SubscriptionRow, wire: &Subscription) -> HttpResponse {
    json_with_etag(HttpResponse::build(status), &sub.etag(), wire)
}

/// Runs `change` on the subscription of `path` (within reach, locked) in one transaction,
/// records it in the audit log as `action`, and answers with the subscription as it is after.
async fn act(
    state: web::Data<AppState>,
    user: AuthUser,
    path: &str,
    action: &'static str,
    change: impl FnOnce(&mut DbConn, &Billing, &SubscriptionRow, NaiveDateTime) -> AppResult<SubscriptionRow>
        + Send
        + 'static,
) -> ApiResult<HttpResponse> {
    let id = parse_id(path)?;
    let now = state.clock.now();
    let billing = state.billing.clone();
    let (sub, wire) = state
        .db
        .transaction(move |conn| {
            let sub = locked(conn, &user, id)?;
            let sub = change(conn, &billing, &sub, now)?;
            user.actor()
                .record(conn, action, "subscription", Some(id.to_string()))?;
            let wire = billing::one_to_wire(conn, &billing, &sub, now)?;
            billing::emit_subscription_wire(conn, &sub, Event::SubscriptionUpdated, &wire)?;
            Ok((sub, wire))
        })
        .await?;
    Ok(respond(StatusCode::OK, &sub, &wire))
}

/// Subscribes the app to a plan, optionally with a coupon. With a trial it is `trialing` (and
/// the app takes the plan's edition) at once; without, the first invoice is issued and the
/// subscription stays `incomplete` until `POST subscriptions/{id}/pay` pays it.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id")),
    request_body = CreateSubscription,
    responses(
        (status = 201, description = "Subscribed", body = Subscription,
            headers(("ETag" = String, description = "Version"))),
        (status = 404, description = "No such app of yours"),
        (status = 409, description = "`subscription_exists`: the app has a live subscription (change its plan instead)"),
        (status = 422, description = "`validation_failed` (e.g. `plan_id` names no plan, or an archived one); `coupon_not_found`, `coupon_expired`, `coupon_exhausted`, `coupon_not_applicable`, `coupon_currency_mismatch` on `coupon_code`"),
    )
)]
#[post("/apps/{id}/subscription")]
async fn subscribe(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Valid<CreateSubscription>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let now = state.clock.now();
    let billing = state.billing.clone();
    let owner = KeyOwner::Account(user.id());
    idempotency::run(&state, &req, owner, body.0, move |conn, body| {
        let (app, _) = user.scope().find_app(conn, id)?;
        let plan = parse_id(&body.plan_id)
            .and_then(|p| PlanRow::find(conn, p))
            .map_err(|_| AppError::invalid_field("plan_id", "names no plan"))?;
        let sub = billing::subscribe(
            conn,
            &billing,
            &app,
            &plan,
            body.coupon_code.as_deref(),
            now,
        )?;
        user.actor().record(
            conn,
            "subscription.create",
            "subscription",
            Some(sub.id.to_string()),
        )?;
        let wire = billing::one_to_wire(conn, &billing, &sub, now)?;
        billing::emit_subscription_wire(conn, &sub, Event::SubscriptionCreated, &wire)?;
        Ok(Outcome::created(&wire, format!("/api/v1/subscriptions/{}", sub.id))?.etag(&sub.etag()))
    })
    .await
}

/// Prices a subscription before it is made: the first charge (after the trial, if the plan has
/// one) with the coupon and the VAT the app owner's invoice will have. The coupon is checked as
/// subscribing checks it, so a form can tell at once why a code is refused. Nothing is stored.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id"), PreviewQuery),
    responses(
        (status = 200, description = "The first charge", body = UpcomingCharge),
        (status = 404, description = "No such app of yours"),
        (status = 422, description = "`validation_failed` (`plan_id` names no plan taking subscriptions); `coupon_not_found`, `coupon_expired`, `coupon_exhausted`, `coupon_not_applicable`, `coupon_currency_mismatch` on `coupon_code`"),
    )
)]
#[get("/apps/{id}/subscription/preview")]
async fn preview(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<PreviewQuery>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let query = valid_query(query)?;
    let now = state.clock.now();
    let billing = state.billing.clone();
    let charge = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            let plan = parse_id(&query.plan_id)
                .and_then(|p| PlanRow::find(conn, p))
                .ok()
                .filter(|p| p.active)
                .ok_or_else(|| {
                    AppError::invalid_field("plan_id", "names no plan taking subscriptions")
                })?;
            billing::preview(
                conn,
                &billing,
                &app,
                &plan,
                query.coupon_code.as_deref(),
                now,
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(charge))
}

/// The app's live subscription (404 `no_subscription` when it has none).
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id")),
    responses(
        (status = 200, description = "The subscription", body = Subscription,
            headers(("ETag" = String, description = "Version"))),
        (status = 404, description = "No such app of yours, or `no_subscription`"),
    )
)]
#[get("/apps/{id}/subscription")]
async fn app_subscription(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let now = state.clock.now();
    let billing = state.billing.clone();
    let (sub, wire) = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            let sub = SubscriptionRow::live_for_app(conn, app.id)?.ok_or_else(|| {
                AppError::new(
                    StatusCode::NOT_FOUND,
                    "no_subscription",
                    "The app has no subscription.",
                )
            })?;
            let wire = billing::one_to_wire(conn, &billing, &sub, now)?;
            Ok((sub, wire))
        })
        .await?;
    Ok(respond(StatusCode::OK, &sub, &wire))
}

/// The subscriptions within reach, newest first: a customer's own apps', a partner's and its
/// customers', all for administrators.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(PageQuery, SubscriptionFilter),
    responses((status = 200, description = "One page of subscriptions", body = Page<Subscription>))
)]
#[get("/subscriptions")]
async fn list_subscriptions(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageQuery>,
    filter: web::Query<SubscriptionFilter>,
) -> ApiResult<HttpResponse> {
    let filter = valid_query(filter)?;
    let paging = Paging::<(NaiveDateTime, i64)>::new(&valid_query(page)?)?;
    let now = state.clock.now();
    let billing = state.billing.clone();
    let (rows, wire, total) = state
        .db
        .run(move |conn| {
            let (rows, total) = SubscriptionRow::list(conn, user.scope(), &filter, &paging)?;
            let wire = billing::to_wire(conn, &billing, &rows, now)?;
            Ok((rows, wire, total))
        })
        .await?;
    let pairs: Vec<(SubscriptionRow, Subscription)> = rows.into_iter().zip(wire).collect();
    Ok(HttpResponse::Ok().json(paging.answer(
        pairs,
        total,
        |(row, _)| row.key(),
        |(_, wire)| wire.clone(),
    )))
}

/// One subscription with its plan, discount, open invoice and upcoming charge.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The subscription's id")),
    responses(
        (status = 200, description = "The subscription", body = Subscription,
            headers(("ETag" = String, description = "Version"))),
        (status = 404, description = "No such subscription of yours"),
    )
)]
#[get("/subscriptions/{id}")]
async fn get_subscription(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let now = state.clock.now();
    let billing = state.billing.clone();
    let (sub, wire) = state
        .db
        .run(move |conn| {
            let sub = SubscriptionRow::find(conn, user.scope(), id)?;
            let wire = billing::one_to_wire(conn, &billing, &sub, now)?;
            Ok((sub, wire))
        })
        .await?;
    Ok(respond(StatusCode::OK, &sub, &wire))
}

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
async fn update_subscription(
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
async fn cancel_subscription(
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
async fn apply_coupon(
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
async fn pay(
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
                    StatusCode::CONFLICT,
                    "payment_pending",
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
                        let declined = AppError::new(
                            StatusCode::PAYMENT_REQUIRED,
                            "card_declined",
                            format!("{message} ({code})"),
                        );
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

/// The subscription's payments (successful and failed), newest first.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The subscription's id"), PageQuery),
    responses(
        (status = 200, description = "One page of payments", body = Page<Payment>),
        (status = 404, description = "No such subscription of yours"),
    )
)]
#[get("/subscriptions/{id}/payments")]
async fn subscription_payments(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let paging = Paging::<(NaiveDateTime, i64)>::new(&valid_query(page)?)?;
    let (rows, total) = state
        .db
        .run(move |conn| {
            let scope = user.scope();
            SubscriptionRow::find(conn, scope, id)?;
            Ok(PaymentRow::list(
                conn,
                scope,
                Some(id),
                &PaymentFilter::default(),
                &paging,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(paging.answer(rows, total, PaymentRow::key, PaymentRow::to_wire)))
}
