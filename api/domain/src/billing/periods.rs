//! Billing periods: when one ends, what it costs, and what a coupon takes off in it.

use super::*;

/// The end of the period that follows one ending at `current_end`: whole intervals from the
/// anchor, so a subscription started on the 31st renews on the last day of shorter months and on
/// the 31st again when there is one.
pub fn next_period_end(
    anchor: NaiveDateTime,
    current_end: NaiveDateTime,
    interval: BillingInterval,
) -> NaiveDateTime {
    let step = match interval {
        BillingInterval::Month => 1,
        BillingInterval::Year => 12,
    };
    (1..)
        .map(|k| anchor.checked_add_months(Months::new(k * step)))
        .map(|end| end.unwrap_or(NaiveDateTime::MAX))
        .find(|end| *end > current_end)
        .unwrap_or(NaiveDateTime::MAX)
}

/// Whether the subscription's discount covers an invoice for a period starting at `start`.
pub(super) fn discount_covers(sub: &SubscriptionRow, start: NaiveDateTime) -> bool {
    sub.discount_code.is_some() && sub.discount_end.is_none_or(|end| start < end)
}

/// The discount in force (its end not passed at `now`).
pub fn discount_of(sub: &SubscriptionRow, now: NaiveDateTime) -> Option<Discount> {
    let code = sub.discount_code.clone()?;
    if sub.discount_end.is_some_and(|end| end <= now) {
        return None;
    }
    Some(Discount {
        code,
        percent_off: sub.discount_percent_off,
        amount_off: sub.discount_amount_off,
        currency: sub.discount_currency.clone(),
        duration: sub.discount_duration().unwrap_or(CouponDuration::Once),
        start: crate::db::utc(sub.discount_start.unwrap_or(sub.created_at)),
        end: sub.discount_end.map(crate::db::utc),
    })
}

/// What an invoice for a period of `plan` would charge the subscription's account.
pub(super) fn price_period(
    billing: &Billing,
    sub: &SubscriptionRow,
    plan: &PlanRow,
    bill_to: Option<&BillTo>,
    start: NaiveDateTime,
) -> (Amounts, i32, bool) {
    let (vat_rate, reverse_charge) = vat_for(
        &billing.seller,
        bill_to.and_then(|b| b.country.as_deref()),
        bill_to.and_then(|b| b.vat_id.as_deref()),
    );
    let (percent, amount) = if discount_covers(sub, start) {
        (sub.discount_percent_off, sub.discount_amount_off)
    } else {
        (None, None)
    };
    (
        amounts(plan.price, percent, amount, vat_rate),
        vat_rate,
        reverse_charge,
    )
}

pub(super) fn interval_word(interval: BillingInterval) -> &'static str {
    match interval {
        BillingInterval::Month => "monthly",
        BillingInterval::Year => "yearly",
    }
}

/// Issues (finalises) the invoice of the period `start`–`end` on `plan`: numbered, `open` (or
/// `paid` when nothing is due). A `once` discount is used up by it.
pub fn invoice_period(
    conn: &mut DbConn,
    billing: &Billing,
    sub: &SubscriptionRow,
    plan: &PlanRow,
    (start, end): (NaiveDateTime, NaiveDateTime),
    now: NaiveDateTime,
) -> AppResult<InvoiceRow> {
    let bill_to = BillTo::one(conn, sub.owner_id)?;
    let (amounts, vat_rate, reverse_charge) =
        price_period(billing, sub, plan, bill_to.as_ref(), start);
    let discounted = amounts.discount > 0 || discount_covers(sub, start);
    let seller = &billing.seller;
    let new = NewInvoice {
        subscription_id: sub.id,
        app_id: sub.app_id,
        owner_id: sub.owner_id,
        status: InvoiceStatus::Draft.as_str(),
        currency: plan.currency.clone(),
        period_start: start,
        period_end: end,
        subtotal: amounts.subtotal,
        discount: amounts.discount,
        discount_code: sub.discount_code.clone().filter(|_| discounted),
        tax: amounts.tax,
        total: amounts.total,
        reverse_charge,
        customer_name: bill_to
            .as_ref()
            .map_or_else(|| sub.app_name.clone(), BillTo::name),
        customer_email: bill_to
            .as_ref()
            .map(|b| b.email.clone())
            .unwrap_or_default(),
        customer_address: bill_to.as_ref().and_then(|b| b.billing_address.clone()),
        customer_country: bill_to.as_ref().and_then(|b| b.country.clone()),
        customer_vat_id: bill_to.as_ref().and_then(|b| b.vat_id.clone()),
        seller_name: seller.name.clone(),
        seller_address: seller.address.clone(),
        seller_vat_id: seller.vat_id.clone(),
        created_at: now,
        updated_at: now,
    };
    let line = InvoiceLineRow {
        id: 0,
        invoice_id: 0,
        description: format!(
            "{} ({}), app {}",
            plan.name,
            interval_word(plan.billing_interval),
            sub.app_name
        ),
        quantity: 1,
        unit_price: plan.price,
        amount: plan.price,
        vat_rate,
        period_start: start,
        period_end: end,
    };
    let draft = InvoiceRow::insert(conn, &new, vec![line])?;
    if discounted && sub.discount_duration() == Some(CouponDuration::Once) {
        SubscriptionRow::update(
            conn,
            sub.id,
            &SubscriptionChanges {
                discount_end: Some(Some(start)),
                ..Default::default()
            },
            now,
        )?;
    }
    let invoice = InvoiceRow::finalise(conn, draft.id, now)?;
    if let Some(owner) = sub.owner_id {
        crate::webhooks::emit(conn, owner, Event::InvoiceCreated, &invoice.summary())?;
    }
    Ok(invoice)
}
