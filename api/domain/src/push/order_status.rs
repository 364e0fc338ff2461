//! The push an order status change sends to the device that placed the order.

use super::*;

/// When the app's owner switched order status pushes on: a push to the device that placed the
/// order (if it has push on and a live token), from the owner's template. Its message (kind
/// `order_status`) is sending at once; `true` when one was made.
pub fn order_status_push(
    conn: &mut DbConn,
    app_id: i64,
    (order_number, status, device): (&str, &str, Option<i64>),
    now: NaiveDateTime,
) -> AppResult<bool> {
    let settings = SettingsRow::of(conn, app_id)?;
    let Some(device) = device.filter(|_| settings.order_status_enabled) else {
        return Ok(false);
    };
    // The device of the order, if a campaign to every device would reach it.
    if !Audience::resolve(conn, app_id, None, now)?.includes(conn, device)? {
        return Ok(false);
    }
    let template = settings
        .order_status_template
        .as_deref()
        .unwrap_or(DEFAULT_ORDER_TEMPLATE);
    let body = template
        .replace("<ORDER_NUMBER>", order_number)
        .replace("<STATUS>", status);
    let row = MessageRow::insert(
        conn,
        &db::NewMessage {
            app_id,
            kind: types::push::PushKind::OrderStatus.as_str(),
            title: format!("Order {order_number}"),
            body,
            deep_link: None,
            image_url: None,
            data: Some(serde_json::json!({"order_number": order_number}).to_string()),
            target: None,
            status: types::push::PushStatus::Draft.as_str(),
            send_at: None,
            local_time: None,
            created_by: None,
            created_at: now,
            updated_at: now,
        },
    )?;
    let from = [types::push::PushStatus::Draft];
    MessageRow::transition(conn, row.id, &from, types::push::PushStatus::Sending, now)?;
    db::insert_deliveries(
        conn,
        &[NewDelivery {
            message_id: row.id,
            device_id: device,
            status: "pending",
            next_attempt_at: now,
            reason: None,
            created_at: now,
        }],
    )?;
    MessageRow::fanned(conn, row.id, Some(device), 1, 0, true)?;
    Ok(true)
}
