//! Subscribing an app, the priced preview of a subscription, and an app's subscription.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use types::billing::{CreateSubscription, PreviewQuery, Subscription, UpcomingCharge};
use types::ErrorCode;

use crate::auth::AuthUser;
use crate::billing::{self};
use crate::db::parse_id;
use crate::db::plans::PlanRow;
use crate::db::subscriptions::SubscriptionRow;
use crate::error::{ApiResult, AppError};
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::routes::Versioned;
use crate::routes::{valid_query, Valid};
use crate::state::AppState;

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
pub(super) async fn subscribe(
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
        let coupon = body.coupon_code.as_deref();
        let who = (&*billing, &user.actor());
        let (sub, wire) = billing::start(conn, who, (&app, &plan), coupon, now)?;
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
pub(super) async fn preview(
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
pub(super) async fn app_subscription(
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
                AppError::new(ErrorCode::NoSubscription, "The app has no subscription.")
            })?;
            let wire = billing::one_to_wire(conn, &billing, &sub, now)?;
            Ok((sub, wire))
        })
        .await?;
    Ok(crate::routes::versioned(HttpResponse::Ok(), &sub, &wire))
}
