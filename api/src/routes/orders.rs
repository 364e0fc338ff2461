//! "Manage Orders" of Standard apps: `/apps/{id}/orders…`. A Basic app answers 403
//! `edition_required` on every route.

use crate::routes::Register;
use actix_web::{get, patch, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use types::orders::{Order, OrderFilter, UpdateOrder};
use types::{Page, PageQuery};

use crate::auth::AuthUser;
use crate::db::apps::AppRow;
use crate::db::orders::OrderRow;
use crate::db::page::Paging;
use crate::db::{parse_id, utc, DbConn};
use crate::error::{ApiResult, AppResult};
use crate::orders::{detail, require_standard};
use crate::routes::versioned;
use crate::routes::{csv, if_match_of, valid_query, Valid};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_orders)
        .service(export_orders)
        .service(get_order)
        .service(update_order);
}

/// A Standard app `user` may manage.
pub fn standard_app(conn: &mut DbConn, user: &AuthUser, id: i64) -> AppResult<AppRow> {
    let (app, _) = user.scope().find_app(conn, id)?;
    require_standard(&app)?;
    Ok(app)
}

/// The app's orders, newest placed first, with filters; `total` is their count. Page by
/// `cursor` for any depth at the cost of the first page.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id"), PageQuery, OrderFilter),
    responses(
        (status = 200, description = "One page of orders", body = Page<Order>),
        (status = 403, description = "`edition_required`: a Basic app"),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}/orders")]
async fn list_orders(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    page: web::Query<PageQuery>,
    filter: web::Query<OrderFilter>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let filter = valid_query(filter)?;
    let paging = Paging::<(NaiveDateTime, i64)>::new(&valid_query(page)?)?;
    let (rows, total) = state
        .db
        .run(move |conn| {
            let app = standard_app(conn, &user, id)?;
            Ok(OrderRow::list(conn, app.id, &filter, &paging)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(paging.answer(rows, total, OrderRow::key, OrderRow::to_wire)))
}

/// The orders matching the filters as CSV (UTF-8, a header row, newest placed first; amounts in
/// minor units), streamed: any number of orders.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id"), OrderFilter),
    responses(
        (status = 200, description = "CSV: id, order_number, placed_at, status, currency, subtotal, shipping, tax, discount, total, refunded_amount, lines, buyer_email, buyer_name, guest, mobile_user_id", content_type = "text/csv", body = String),
        (status = 403, description = "`edition_required`: a Basic app"),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}/orders/export")]
async fn export_orders(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    filter: web::Query<OrderFilter>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let filter = valid_query(filter)?;
    let app = state
        .db
        .run(move |conn| standard_app(conn, &user, id))
        .await?;
    let header = [
        "id",
        "order_number",
        "placed_at",
        "status",
        "currency",
        "subtotal",
        "shipping",
        "tax",
        "discount",
        "total",
        "refunded_amount",
        "lines",
        "buyer_email",
        "buyer_name",
        "guest",
        "mobile_user_id",
    ];
    Ok(csv::stream(
        state.db.clone(),
        &format!("app-{}-orders.csv", app.id),
        &header,
        move |conn, after| {
            let rows = OrderRow::page(conn, app.id, &filter, &Paging::chunk(after, csv::CHUNK))?;
            let records = rows
                .iter()
                .map(|o| {
                    vec![
                        o.id.to_string(),
                        o.order_number.clone(),
                        utc(o.placed_at).to_rfc3339(),
                        o.status.as_str().to_owned(),
                        o.currency.clone(),
                        o.subtotal.to_string(),
                        o.shipping.to_string(),
                        o.tax.to_string(),
                        o.discount.to_string(),
                        o.total.to_string(),
                        o.refunded_amount.to_string(),
                        o.line_count.to_string(),
                        o.buyer_email.clone().unwrap_or_default(),
                        o.buyer_name.clone().unwrap_or_default(),
                        o.guest.to_string(),
                        o.mobile_user_id.map(|i| i.to_string()).unwrap_or_default(),
                    ]
                })
                .collect();
            Ok((records, csv::next_key(&rows, OrderRow::key)))
        },
    )?)
}

/// One order with its lines, the device it was placed on and its trace.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("order_id" = String, Path, description = "The order's id"),
    ),
    responses(
        (status = 200, description = "The order", body = Order,
            headers(("ETag" = String, description = "Version, for `If-Match`"))),
        (status = 403, description = "`edition_required`: a Basic app"),
        (status = 404, description = "No such order in an app of yours"),
    )
)]
#[get("/apps/{id}/orders/{order_id}")]
async fn get_order(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, order_id) = (parse_id(&path.0)?, parse_id(&path.1)?);
    let (order, detail) = state
        .db
        .run(move |conn| {
            let app = standard_app(conn, &user, id)?;
            let order = OrderRow::find(conn, app.id, order_id)?;
            let detail = detail(conn, &order)?;
            Ok((order, detail))
        })
        .await?;
    Ok(versioned(HttpResponse::Ok(), &order, &detail))
}

/// Moves an order along its statuses: `pending` → `processing` → `shipped` → `completed`;
/// `pending` / `processing` → `canceled`; `completed` → `refunded` (with `refunded_amount`, all
/// that is left by default; again while some is left). The step lands in the order's trace with
/// the note, and in the audit log. With `If-Match`, a stale version is 412.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("order_id" = String, Path, description = "The order's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag read with the order"),
    ),
    request_body = UpdateOrder,
    responses(
        (status = 200, description = "Moved", body = Order,
            headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "`edition_required`: a Basic app"),
        (status = 404, description = "No such order in an app of yours"),
        (status = 409, description = "`illegal_transition`: the order's status does not allow this move (the detail names the allowed ones)"),
        (status = 412, description = "`stale_version`: the order changed since it was read"),
        (status = 422, description = "`validation_failed`: e.g. `refunded_amount` over what is left to refund"),
    )
)]
#[patch("/apps/{id}/orders/{order_id}")]
async fn update_order(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Valid<UpdateOrder>,
) -> ApiResult<HttpResponse> {
    let (id, order_id) = (parse_id(&path.0)?, parse_id(&path.1)?);
    let if_match = if_match_of(&req);
    let now = state.clock.now();
    let (order, detail, pushed) = state
        .db
        .transaction(move |conn| {
            let app = standard_app(conn, &user, id)?;
            let which = (&app, order_id, if_match.as_deref());
            crate::orders::update(conn, &user.actor(), which, &body.0, now)
        })
        .await?;
    if pushed {
        state.push.wake.notify_one();
    }
    Ok(versioned(HttpResponse::Ok(), &order, &detail))
}
