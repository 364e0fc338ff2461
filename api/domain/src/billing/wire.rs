//! Subscriptions as the API answers them, and their webhook events.

use super::*;

/// The wire form of subscriptions, with their plans, open invoice and upcoming charge, in a
/// fixed number of queries whatever their number.
pub fn to_wire(
    conn: &mut DbConn,
    billing: &Billing,
    rows: &[SubscriptionRow],
    now: NaiveDateTime,
) -> AppResult<Vec<Subscription>> {
    let plan_ids: Vec<i64> = rows
        .iter()
        .flat_map(|r| std::iter::once(r.plan_id).chain(r.next_plan_id))
        .collect();
    let plans = PlanRow::by_ids(conn, &plan_ids)?;
    let owners: Vec<i64> = rows.iter().filter_map(|r| r.owner_id).collect();
    let bill_to = BillTo::load(conn, &owners)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let open_by_sub = InvoiceRow::open_of(conn, &ids)?;
    rows.iter()
        .map(|row| {
            let plan = plans.get(&row.plan_id).ok_or_else(AppError::not_found)?;
            let next_plan = row.next_plan_id.and_then(|id| plans.get(&id));
            let renews = matches!(
                row.status,
                SubscriptionStatus::Trialing | SubscriptionStatus::Active
            ) && !row.cancel_at_period_end;
            let upcoming = renews.then(|| {
                let on = next_plan.unwrap_or(plan);
                let owner = row.owner_id.and_then(|o| bill_to.get(&o));
                let (a, ..) = price_period(billing, row, on, owner, row.current_period_end);
                UpcomingCharge {
                    at: crate::db::utc(row.current_period_end),
                    subtotal: a.subtotal,
                    discount: a.discount,
                    tax: a.tax,
                    total: a.total,
                    currency: on.currency.clone(),
                }
            });
            Ok(Subscription {
                id: row.id.to_string(),
                app_id: row.app_id.map(|a| a.to_string()),
                app_name: row.app_name.clone(),
                owner_id: row.owner_id.map(|o| o.to_string()),
                plan: plan.to_wire(),
                next_plan: next_plan.map(PlanRow::to_wire),
                status: row.status,
                current_period_start: crate::db::utc(row.current_period_start),
                current_period_end: crate::db::utc(row.current_period_end),
                trial_end: row.trial_end.map(crate::db::utc),
                cancel_at_period_end: row.cancel_at_period_end,
                canceled_at: row.canceled_at.map(crate::db::utc),
                ended_at: row.ended_at.map(crate::db::utc),
                payment_method: row.payment_method.clone(),
                discount: discount_of(row, now),
                open_invoice: open_by_sub.get(&row.id).map(InvoiceRow::summary),
                upcoming,
                created_at: crate::db::utc(row.created_at),
            })
        })
        .collect()
}

/// Tells the webhooks of the subscription's owner that it was made or moved.
pub fn emit_subscription(
    conn: &mut DbConn,
    billing: &Billing,
    id: i64,
    event: Event,
    now: NaiveDateTime,
) -> AppResult<()> {
    let sub = SubscriptionRow::find(conn, crate::policy::Scope::All, id)?;
    let Some(owner) = sub.owner_id else {
        return Ok(());
    };
    crate::webhooks::emit_with(conn, owner, event, |conn| {
        one_to_wire(conn, billing, &sub, now).map(Some)
    })
}

/// Tells the webhooks of the payment's owner how it ended (`pending` ones wait until then).
pub(super) fn emit_payment(conn: &mut DbConn, payment: &PaymentRow) -> AppResult<()> {
    let event = match payment.status {
        PaymentStatus::Succeeded => Event::PaymentSucceeded,
        PaymentStatus::Failed => Event::PaymentFailed,
        _ => return Ok(()),
    };
    match payment.owner_id {
        Some(owner) => crate::webhooks::emit(conn, owner, event, &payment.to_wire()),
        None => Ok(()),
    }
}

/// One subscription's wire form.
pub fn one_to_wire(
    conn: &mut DbConn,
    billing: &Billing,
    row: &SubscriptionRow,
    now: NaiveDateTime,
) -> AppResult<Subscription> {
    to_wire(conn, billing, std::slice::from_ref(row), now)?
        .pop()
        .ok_or_else(AppError::not_found)
}
