//! Subscriptions and their payments, within the caller's reach.

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDateTime;
use types::billing::{Payment, PaymentFilter, Subscription, SubscriptionFilter};
use types::{Page, PageQuery};

use crate::auth::AuthUser;
use crate::billing::{self};
use crate::db::invoices::PaymentRow;
use crate::db::page::Paging;
use crate::db::parse_id;
use crate::db::subscriptions::SubscriptionRow;
use crate::error::ApiResult;
use crate::routes::valid_query;
use crate::state::AppState;

/// The subscriptions within reach, newest first: a customer's own apps', a partner's and its
/// customers', all for administrators.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(PageQuery, SubscriptionFilter),
    responses((status = 200, description = "One page of subscriptions", body = Page<Subscription>))
)]
#[get("/subscriptions")]
pub(super) async fn list_subscriptions(
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
pub(super) async fn get_subscription(
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
    Ok(crate::routes::versioned(HttpResponse::Ok(), &sub, &wire))
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
pub(super) async fn subscription_payments(
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
