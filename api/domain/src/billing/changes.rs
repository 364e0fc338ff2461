//! The changes people make to a subscription — starting one, moving it, paying it — each audited
//! and announced to the owner's webhooks, in the caller's transaction (the subscription locked).

use super::*;
use types::billing::PayResult;
use types::webhooks::WebhookEventType as Event;

/// The wire form of `sub` as of `now`, told to the webhooks of its owner as `event`.
fn announce(
    conn: &mut DbConn,
    billing: &Billing,
    sub: &SubscriptionRow,
    event: Event,
    now: NaiveDateTime,
) -> AppResult<Subscription> {
    let wire = one_to_wire(conn, billing, sub, now)?;
    if let Some(owner) = sub.owner_id {
        crate::webhooks::emit(conn, owner, event, &wire)?;
    }
    Ok(wire)
}

/// Subscribes `app` to `plan` (see [`subscribe`]) as `actor`.
pub fn start(
    conn: &mut DbConn,
    (billing, actor): (&Billing, &Actor),
    (app, plan): (&AppRow, &PlanRow),
    coupon: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<(SubscriptionRow, Subscription)> {
    let sub = subscribe(conn, billing, app, plan, coupon, now)?;
    let id = Some(sub.id.to_string());
    actor.record(conn, "subscription.create", "subscription", id)?;
    let wire = announce(conn, billing, &sub, Event::SubscriptionCreated, now)?;
    Ok((sub, wire))
}

/// Runs `change` on the locked subscription `sub` as `actor`, audited as `action`.
pub fn change(
    conn: &mut DbConn,
    (billing, actor, action): (&Billing, &Actor, &str),
    sub: &SubscriptionRow,
    change: impl FnOnce(
        &mut DbConn,
        &Billing,
        &SubscriptionRow,
        NaiveDateTime,
    ) -> AppResult<SubscriptionRow>,
    now: NaiveDateTime,
) -> AppResult<(SubscriptionRow, Subscription)> {
    let sub = change(conn, billing, sub, now)?;
    actor.record(conn, action, "subscription", Some(sub.id.to_string()))?;
    let wire = announce(conn, billing, &sub, Event::SubscriptionUpdated, now)?;
    Ok((sub, wire))
}

/// Saves `method` for the locked subscription `sub`'s renewals and pays its open invoice with it
/// (with nothing owed, only saves it). A declined card is the inner `Err` (402 `card_declined`):
/// the failed attempt stays recorded, so the caller commits.
pub fn pay_with(
    conn: &mut DbConn,
    (billing, actor): (&Billing, &Actor),
    sub: &SubscriptionRow,
    method: &str,
    now: NaiveDateTime,
) -> AppResult<Result<PayResult, AppError>> {
    if !sub.status.is_live() {
        return Err(subscription_ended());
    }
    if !billing.provider.knows(method) {
        return Err(AppError::invalid_field(
            "payment_method",
            "is not a payment method the payment provider knows",
        ));
    }
    let open = InvoiceRow::open_for(conn, sub.id)?;
    if let Some(invoice) = &open {
        if PaymentRow::pending_for(conn, invoice.id)? {
            return Err(AppError::new(
                ErrorCode::PaymentPending,
                "A payment of this invoice is still being processed by the payment \
                 provider; its result will show here when it arrives.",
            ));
        }
    }
    let method = save_method(conn, billing, sub, method, now)?;
    let changes = SubscriptionChanges {
        payment_method: Some(method.clone()),
        ..Default::default()
    };
    let sub = SubscriptionRow::update(conn, sub.id, &changes, now)?;
    let payment = match open {
        None => None,
        Some(invoice) => match charge(conn, billing, &sub, &invoice, Some(&method), actor, now)? {
            Charged::Paid(payment) | Charged::Pending(payment) => Some(*payment),
            Charged::Failed { code, message, .. } => {
                let declined =
                    AppError::new(ErrorCode::CardDeclined, format!("{message} ({code})"));
                return Ok(Err(declined));
            }
        },
    };
    let id = Some(sub.id.to_string());
    actor.record(conn, "subscription.payment_method", "subscription", id)?;
    let sub = SubscriptionRow::find(conn, crate::policy::Scope::All, sub.id)?;
    Ok(Ok(PayResult {
        subscription: announce(conn, billing, &sub, Event::SubscriptionUpdated, now)?,
        payment: payment.as_ref().map(PaymentRow::to_wire),
    }))
}
