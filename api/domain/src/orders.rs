//! Orders: what the app reports (idempotent by order number), and the moves the owner makes along
//! the statuses. The HTTP handlers (`routes::orders`, `routes::sdk`) and the demo traffic go
//! through these functions.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};
use types::apps::AppEdition;
use types::email::Email;
use types::orders::{CreateOrder, Order, OrderDevice, OrderStatus, UpdateOrder};
use types::quotes::QuoteStatus;
use types::webhooks::WebhookEventType as Event;
use types::ErrorCode;

use crate::db::apps::AppRow;
use crate::db::audit::Actor;
use crate::db::devices::DeviceRow;
use crate::db::mobile_users::MobileUserRow;
use crate::db::orders::{LineRow, NewEvent, NewOrder, OrderRow};
use crate::db::quotes::{self, QuoteRow};
use crate::db::{parse_id, DbConn};
use crate::error::{AppError, AppResult};
use crate::versions::check_if_match;

// Its conflicts are answered by the store's unique indexes too, so they live with the error.
pub use crate::error::{order_number_taken, quote_already_ordered};

/// The app's mobile user an SDK order or quote request names, by its back-office id or by the
/// handle the SDK got when registering it; `None` for a guest. 422 on the field when it names
/// nobody of this app, or when both are sent.
pub fn signed_in_buyer(
    conn: &mut DbConn,
    app_id: i64,
    id: Option<&str>,
    sdk_ref: Option<&str>,
) -> AppResult<Option<MobileUserRow>> {
    match (id, sdk_ref) {
        (Some(_), Some(_)) => Err(AppError::invalid_field(
            "mobile_user_ref",
            "must be absent when mobile_user_id names the buyer",
        )),
        (Some(id), None) => parse_id(id)
            .and_then(|id| MobileUserRow::find(conn, app_id, id))
            .map(Some)
            .map_err(|_| AppError::invalid_field("mobile_user_id", "is not a user of this app")),
        (None, Some(sdk_ref)) => crate::mobile_users::by_ref(conn, app_id, sdk_ref).map(Some),
        (None, None) => Ok(None),
    }
}

/// 403 unless the app is a Standard one: orders and quote requests are Standard features.
pub fn require_standard(app: &AppRow) -> AppResult<()> {
    if app.edition() == AppEdition::Standard {
        Ok(())
    } else {
        Err(AppError::new(
            ErrorCode::EditionRequired,
            "Orders and quote requests need the Standard edition of the app.",
        ))
    }
}

/// What the app sent, as a fingerprint: the same order sent again has the same one.
fn content_hash(order: &CreateOrder) -> AppResult<String> {
    let canonical = serde_json::to_vec(order).map_err(AppError::internal)?;
    Ok(hex::encode(Sha256::digest(canonical)))
}

/// The outcome of reporting an order.
pub enum Intake {
    /// Stored now (201).
    Created(OrderRow),
    /// The same order was already stored (200, nothing new stored).
    Known(OrderRow),
}

/// The stored order with this number when it is the same order, else 409.
pub fn known_order(
    conn: &mut DbConn,
    app: &AppRow,
    order: &CreateOrder,
) -> AppResult<Option<OrderRow>> {
    let hash = content_hash(order)?;
    match OrderRow::find_by_number(conn, app.id, order.order_number.trim())? {
        Some(stored) if stored.content_hash == hash => Ok(Some(stored)),
        Some(_) => Err(order_number_taken()),
        None => Ok(None),
    }
}

/// Stores an order the app reports, or recognises one it sent before.
pub fn take_order(
    conn: &mut DbConn,
    app: &AppRow,
    order: &CreateOrder,
    now: NaiveDateTime,
) -> AppResult<Intake> {
    require_standard(app)?;
    if let Some(stored) = known_order(conn, app, order)? {
        return Ok(Intake::Known(stored));
    }
    let placed_at = crate::db::micros(order.placed_at.naive_utc());
    crate::sdk::check_reported_time(placed_at, now)
        .map_err(|message| AppError::invalid_field("placed_at", message))?;

    let (mobile_user_id, buyer_email, buyer_name) = match signed_in_buyer(
        conn,
        app.id,
        order.mobile_user_id.as_deref(),
        order.mobile_user_ref.as_deref(),
    )? {
        Some(user) => {
            let name = format!("{} {}", user.first_name, user.last_name);
            (Some(user.id), Some(user.email), Some(name))
        }
        None => (
            None,
            order
                .guest_email
                .as_deref()
                .map(|e| Email::parse(e).into_string()),
            order.guest_name.as_deref().map(|n| n.trim().to_owned()),
        ),
    };
    let installation_id = order.installation_id.as_deref().map(str::trim);
    let device_id = match installation_id {
        Some(id) => DeviceRow::id_of(conn, app.id, id)?,
        None => None,
    };
    let quote_id = match &order.quote_id {
        Some(id) => Some(check_quote(conn, app, id, order, now)?),
        None => None,
    };

    let subtotal = order
        .lines
        .iter()
        .map(|l| l.quantity * l.unit_price)
        .sum::<i64>();
    let lines = order
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| LineRow {
            id: 0,
            order_id: 0,
            position: i32::try_from(i).unwrap_or(i32::MAX),
            sku: l.sku.trim().to_owned(),
            name: l.name.trim().to_owned(),
            quantity: l.quantity,
            unit_price: l.unit_price,
        })
        .collect();
    let new = NewOrder {
        app_id: app.id,
        order_number: order.order_number.trim().to_owned(),
        status: OrderStatus::Pending.as_str(),
        currency: order.currency.clone(),
        placed_at,
        subtotal,
        shipping: order.shipping,
        tax: order.tax,
        discount: order.discount,
        total: order.total,
        line_count: order.lines.len() as i64,
        mobile_user_id,
        guest: mobile_user_id.is_none(),
        buyer_email,
        buyer_name,
        installation_id: installation_id.map(str::to_owned),
        device_id,
        quote_id,
        content_hash: content_hash(order)?,
        created_at: now,
        updated_at: now,
    };
    match OrderRow::insert(conn, &new, lines)? {
        Some(stored) => Ok(Intake::Created(stored)),
        // The same number stored meanwhile (the order sent twice at once): this order, or 409.
        None => known_order(conn, app, order)?
            .map(Intake::Known)
            .ok_or_else(order_number_taken),
    }
}

/// The accepted quote an order takes up: it must hold the offer's skus, quantities, prices and
/// currency, and not have been ordered already.
fn check_quote(
    conn: &mut DbConn,
    app: &AppRow,
    id: &str,
    order: &CreateOrder,
    now: NaiveDateTime,
) -> AppResult<i64> {
    let missing = || AppError::invalid_field("quote_id", "is not a quote request of this app");
    let id = parse_id(id).map_err(|_| missing())?;
    quotes::expire(conn, Some(app.id), now)?;
    let quote = QuoteRow::find(conn, app.id, id).map_err(|_| missing())?;
    if quote.status != QuoteStatus::Accepted {
        return Err(AppError::new(
            ErrorCode::QuoteNotAccepted,
            format!(
                "Quote request {id} is {}: only an accepted quote can be ordered.",
                quote.status
            ),
        ));
    }
    if OrderRow::id_for_quote(conn, id)?.is_some() {
        return Err(quote_already_ordered());
    }
    let lines = QuoteRow::lines_of(conn, &[id])?
        .remove(&id)
        .unwrap_or_default();
    let offer = QuoteRow::offers_of(conn, &[id])?
        .remove(&id)
        .and_then(|mut offers| offers.pop())
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("accepted quote {id} has no offer")))?;
    let mismatch = |what: &str| {
        AppError::new(
            ErrorCode::QuoteMismatch,
            format!("The order does not match the accepted offer of quote request {id}: {what}."),
        )
    };
    if order.currency != offer.response.currency {
        return Err(mismatch("another currency"));
    }
    let mut asked: Vec<(&str, i64)> = lines.iter().map(|l| (l.sku.as_str(), l.quantity)).collect();
    let mut ordered: Vec<(&str, i64)> = order
        .lines
        .iter()
        .map(|l| (l.sku.trim(), l.quantity))
        .collect();
    asked.sort_unstable();
    ordered.sort_unstable();
    if asked != ordered {
        return Err(mismatch("other products or quantities"));
    }
    if offer.prices.is_empty() {
        let subtotal: i64 = order.lines.iter().map(|l| l.quantity * l.unit_price).sum();
        if subtotal != offer.response.total {
            return Err(mismatch("the lines do not add up to the quoted total"));
        }
    } else {
        let priced = order.lines.iter().all(|l| {
            offer
                .prices
                .iter()
                .any(|p| p.sku == l.sku.trim() && p.unit_price == l.unit_price)
        });
        if !priced {
            return Err(mismatch("other unit prices"));
        }
    }
    Ok(id)
}

/// The order with its lines, its device and its trace.
pub fn detail(conn: &mut DbConn, order: &OrderRow) -> AppResult<Order> {
    let lines = OrderRow::lines(conn, order.id)?;
    let history = OrderRow::history(conn, order.id)?;
    let device = match order.device_id {
        Some(id) => DeviceRow::find(conn, order.app_id, id)?,
        None => None,
    };
    Ok(Order {
        lines: Some(lines.iter().map(LineRow::to_wire).collect()),
        device: device.map(|d| OrderDevice {
            id: d.id.to_string(),
            platform: d.platform,
            model: d.model,
            os_version: d.os_version,
            app_version: d.app_version,
        }),
        history: Some(history.iter().map(|e| e.to_wire()).collect()),
        ..order.to_wire()
    })
}

/// 409 naming the moves an order in `status` allows.
fn illegal_transition(from: OrderStatus, to: OrderStatus) -> AppError {
    let allowed: Vec<&str> = from.next().iter().map(|s| s.as_str()).collect();
    let detail = if allowed.is_empty() {
        format!("An order that is {from} cannot move to {to}: {from} is final.")
    } else {
        format!(
            "An order that is {from} cannot move to {to}; it can move to: {}.",
            allowed.join(", ")
        )
    };
    AppError::new(ErrorCode::IllegalTransition, detail)
}

/// Moves an order along its statuses as `actor` (the caller holds the row lock).
pub fn move_order(
    conn: &mut DbConn,
    order: &OrderRow,
    change: &UpdateOrder,
    actor: &Actor,
    now: NaiveDateTime,
) -> AppResult<OrderRow> {
    let to = change.status;
    if !order.status.next().contains(&to) {
        return Err(illegal_transition(order.status, to));
    }
    let left = order.total - order.refunded_amount;
    let refunded_amount = match to {
        OrderStatus::Refunded => {
            if left <= 0 {
                return Err(AppError::new(
                    ErrorCode::IllegalTransition,
                    "This order has been refunded in full: nothing is left to refund.",
                ));
            }
            let amount = change.refunded_amount.unwrap_or(left);
            if amount > left {
                return Err(AppError::invalid_field(
                    "refunded_amount",
                    format!("must be at most what is left to refund ({left})"),
                ));
            }
            Some(amount)
        }
        _ if change.refunded_amount.is_some() => {
            return Err(AppError::invalid_field(
                "refunded_amount",
                "is only for a refund (status refunded)",
            ))
        }
        _ => None,
    };
    let note = change
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_owned);
    Ok(OrderRow::change_status(
        conn,
        order,
        &NewEvent {
            order_id: order.id,
            status: to.as_str(),
            actor_id: actor.account_id,
            actor_email: actor.email().map(str::to_owned),
            impersonator_id: actor.impersonator_id,
            note,
            refunded_amount,
            created_at: now,
        },
    )?)
}

/// An order the app reports: stored and announced to the owner's webhooks (`order.created`), or
/// recognised as one it sent before (nothing new stored). Whether it is new, with its detail.
pub fn report(
    conn: &mut DbConn,
    app: &AppRow,
    order: &CreateOrder,
    now: NaiveDateTime,
) -> AppResult<(bool, Order)> {
    match take_order(conn, app, order, now)? {
        Intake::Created(row) => {
            let detail = detail(conn, &row)?;
            crate::webhooks::emit(conn, app.owner_id, Event::OrderCreated, &detail)?;
            Ok((true, detail))
        }
        Intake::Known(row) => Ok((false, detail(conn, &row)?)),
    }
}

/// The owner's move of the order `order_id` of `app`, made against the version `if_match`:
/// audited, pushed to the buyer's device when the app says so, announced (`order.updated`).
/// The moved row, its detail, and whether a push was queued.
pub fn update(
    conn: &mut DbConn,
    actor: &Actor,
    (app, order_id, if_match): (&AppRow, i64, Option<&str>),
    change: &UpdateOrder,
    now: NaiveDateTime,
) -> AppResult<(OrderRow, Order, bool)> {
    let order = OrderRow::find_for_update(conn, app.id, order_id)?;
    check_if_match(if_match, &order)?;
    let order = move_order(conn, &order, change, actor, now)?;
    actor.record(conn, "order.update", "order", Some(order.id.to_string()))?;
    let about = (
        order.order_number.as_str(),
        order.status.label(),
        order.device_id,
    );
    let pushed = crate::push::order_status_push(conn, app.id, about, now)?;
    let detail = detail(conn, &order)?;
    crate::webhooks::emit(conn, app.owner_id, Event::OrderUpdated, &detail)?;
    Ok((order, detail, pushed))
}
