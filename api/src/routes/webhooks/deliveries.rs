//! An endpoint's delivery log, and retrying one delivery.

use super::*;

pub(super) fn one_delivery(
    conn: &mut crate::db::DbConn,
    endpoint: i64,
    id: i64,
) -> AppResult<WebhookDelivery> {
    Ok(DeliveryRow::find(conn, endpoint, id).map(|found| DeliveryRow::to_wire(&found))?)
}

/// The endpoint's delivery log, newest first: each event sent (or to be sent) there, with its
/// last attempt's answer.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The endpoint's id"), PageQuery, DeliveryFilter),
    responses(
        (status = 200, description = "One page of deliveries", body = Page<WebhookDelivery>),
        (status = 404, description = "No such endpoint of yours"),
    )
)]
#[get("/webhook-endpoints/{id}/deliveries")]
pub(super) async fn list_deliveries(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    page: web::Query<PageQuery>,
    filter: web::Query<DeliveryFilter>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let paging = Paging::<i64>::new(&valid_query(page)?)?;
    let filter = valid_query(filter)?;
    let account = user.id();
    let (rows, total) = state
        .db
        .run(move |conn| {
            EndpointRow::find(conn, account, id)?;
            Ok(DeliveryRow::list(conn, id, filter.status, &paging)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(paging.answer(rows, total, |(d, _, _)| d.id, DeliveryRow::to_wire)))
}

/// Sends a delivery again now (one that failed, or one that succeeded: a redelivery). The same
/// `webhook-id` goes out, so receivers that skip repeats still can.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The endpoint's id"),
        ("delivery_id" = String, Path, description = "The delivery's id"),
    ),
    responses(
        (status = 202, description = "Queued", body = WebhookDelivery),
        (status = 404, description = "No such delivery of an endpoint of yours"),
        (status = 409, description = "`endpoint_disabled`: enable it first"),
    )
)]
#[post("/webhook-endpoints/{id}/deliveries/{delivery_id}/retry")]
pub(super) async fn retry_delivery(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, delivery_id) = (parse_id(&path.0)?, parse_id(&path.1)?);
    let account = user.id();
    let now = state.clock.now();
    let delivery = state
        .db
        .transaction(move |conn| {
            let endpoint = EndpointRow::find(conn, account, id)?;
            let (mut delivery, event_type, payload) = DeliveryRow::find(conn, id, delivery_id)?;
            enabled(endpoint)?;
            DeliveryRow::requeue(conn, delivery_id, now)?;
            delivery.status = DeliveryStatus::Pending;
            delivery.next_attempt_at = now;
            Ok(DeliveryRow::to_wire(&(delivery, event_type, payload)))
        })
        .await?;
    Ok(HttpResponse::Accepted().json(delivery))
}
