//! A subscription's life: subscribing, renewing, retrying, canceling and ending, and the app's edition that follows it.

use super::*;
use types::ErrorCode;

/// Sets the app's edition (it follows its plan while subscribed, and is `basic` without one).
pub(super) fn set_edition(
    conn: &mut DbConn,
    app_id: Option<i64>,
    edition: AppEdition,
) -> AppResult<()> {
    if let Some(app) = app_id {
        diesel::update(apps::table.find(app))
            .set(apps::edition.eq(edition.as_str()))
            .execute(conn)?;
    }
    Ok(())
}

/// The subscription is paid for: `active`, and the app takes `edition` (its plan's).
pub(super) fn activate(
    conn: &mut DbConn,
    sub: &SubscriptionRow,
    edition: AppEdition,
    now: NaiveDateTime,
) -> AppResult<()> {
    if sub.status != SubscriptionStatus::Active {
        SubscriptionRow::update(
            conn,
            sub.id,
            &SubscriptionChanges {
                status: Some(SubscriptionStatus::Active.as_str()),
                ..Default::default()
            },
            now,
        )?;
    }
    set_edition(conn, sub.app_id, edition)
}

/// Emails the billed account about its subscription (in the caller's transaction).
pub(super) fn notify(
    conn: &mut DbConn,
    billing: &Billing,
    sub: &SubscriptionRow,
    subject: &str,
    text: &str,
) -> AppResult<()> {
    if let Some(bill_to) = BillTo::one(conn, sub.owner_id)? {
        billing.mailer.enqueue(
            conn,
            &bill_to.email,
            &Email::Billing {
                name: bill_to.greeting(),
                subject,
                text,
            },
        )?;
    }
    Ok(())
}

/// Ends the subscription now: `canceled`, open invoices voided, the app back to Basic.
pub(super) fn end(
    conn: &mut DbConn,
    billing: &Billing,
    sub: &SubscriptionRow,
    now: NaiveDateTime,
    action: &str,
) -> AppResult<SubscriptionRow> {
    InvoiceRow::void_open(conn, sub.id, now)?;
    let ended = SubscriptionRow::update(
        conn,
        sub.id,
        &SubscriptionChanges {
            status: Some(SubscriptionStatus::Canceled.as_str()),
            canceled_at: Some(Some(sub.canceled_at.unwrap_or(now))),
            ended_at: Some(now),
            next_plan_id: Some(None),
            ..Default::default()
        },
        now,
    )?;
    set_edition(conn, sub.app_id, AppEdition::Basic)?;
    Actor::default().record(conn, action, "subscription", Some(sub.id.to_string()))?;
    emit_subscription(conn, billing, sub.id, Event::SubscriptionUpdated, now)?;
    Ok(ended)
}

/// Refuses to delete an app (or an account) with a paid subscription running: 409
/// `has_active_subscription`. Otherwise ends the app's unpaid live subscription (trialing or
/// awaiting payment), so nothing is billed for a deleted app; its records stay.
pub fn before_deleting(
    conn: &mut DbConn,
    billing: &Billing,
    app_id: Option<i64>,
    owner: Option<i64>,
    now: NaiveDateTime,
) -> AppResult<()> {
    if SubscriptionRow::has_paid(conn, app_id, owner)? {
        return Err(AppError::new(
            ErrorCode::HasActiveSubscription,
            "A paid subscription is running: cancel it first (its invoices and payments are kept).",
        ));
    }
    if let Some(app) = app_id {
        if let Some(live) = SubscriptionRow::live_for_app(conn, app)? {
            end(conn, billing, &live, now, "subscription.ended")?;
        }
    }
    Ok(())
}

/// Who may move an app from `from` to `to` by hand: anyone may go down to Basic, only an
/// administrator up to Standard (a grant); everyone else gets Standard from a subscription, and
/// 409 `edition_follows_plan` here.
pub fn ensure_may_set_edition(role: Role, from: AppEdition, to: AppEdition) -> AppResult<()> {
    if to == AppEdition::Standard && from != AppEdition::Standard && role != Role::Admin {
        return Err(AppError::new(
            ErrorCode::EditionFollowsPlan,
            "An app is Standard while a Standard subscription runs for it: subscribe it to a \
             Standard plan.",
        ));
    }
    Ok(())
}

/// An app's edition is its plan's while a subscription runs for it (trial, paid, or being
/// retried): changing it by hand is 409 `edition_follows_plan`.
pub fn ensure_edition_is_free(conn: &mut DbConn, app_id: i64) -> AppResult<()> {
    match SubscriptionRow::live_for_app(conn, app_id)? {
        Some(sub) if sub.status != SubscriptionStatus::Incomplete => Err(AppError::new(
            ErrorCode::EditionFollowsPlan,
            "The app's edition is its subscription plan's: change the plan to change it.",
        )),
        _ => Ok(()),
    }
}

/// Subscribes `app` to `plan` (with an optional coupon). With a trial it is `trialing` at once;
/// without, its first invoice is issued and it is `incomplete` until paid (or `active` at once
/// when a coupon leaves nothing to pay).
pub fn subscribe(
    conn: &mut DbConn,
    billing: &Billing,
    app: &AppRow,
    plan: &PlanRow,
    coupon: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<SubscriptionRow> {
    if !plan.active {
        return Err(AppError::invalid_field(
            "plan_id",
            "names an archived plan, which takes no new subscriptions",
        ));
    }
    if SubscriptionRow::live_for_app(conn, app.id)?.is_some() {
        return Err(subscription_exists());
    }
    let trial_end = (plan.trial_days > 0).then(|| now + Duration::days(i64::from(plan.trial_days)));
    let anchor = trial_end.unwrap_or(now);
    let period_end = trial_end.unwrap_or_else(|| next_period_end(now, now, plan.billing_interval));
    let status = if trial_end.is_some() {
        SubscriptionStatus::Trialing
    } else {
        SubscriptionStatus::Incomplete
    };
    let mut sub = SubscriptionRow::insert(
        conn,
        &NewSubscription {
            app_id: Some(app.id),
            owner_id: Some(app.owner_id),
            app_name: app.name.clone(),
            plan_id: plan.id,
            status: status.as_str(),
            billing_anchor: anchor,
            current_period_start: now,
            current_period_end: period_end,
            trial_end,
            created_at: now,
            updated_at: now,
        },
    )?;
    if let Some(code) = coupon {
        sub = apply_coupon(conn, &sub, ("coupon_code", code), false, now)?;
    }
    if status == SubscriptionStatus::Trialing {
        set_edition(conn, Some(app.id), plan.edition)?;
        return Ok(sub);
    }
    let invoice = invoice_period(conn, billing, &sub, plan, (now, period_end), now)?;
    if invoice.status == InvoiceStatus::Paid {
        activate(conn, &sub, plan.edition, now)?;
    }
    Ok(SubscriptionRow::find(
        conn,
        crate::policy::Scope::All,
        sub.id,
    )?)
}

/// Ends a subscription: at the period's end (it runs until then), or now. An `incomplete` one
/// has no period to finish and ends now.
pub fn cancel(
    conn: &mut DbConn,
    billing: &Billing,
    sub: &SubscriptionRow,
    at_period_end: bool,
    now: NaiveDateTime,
) -> AppResult<SubscriptionRow> {
    if !sub.status.is_live() {
        return Err(subscription_ended());
    }
    if at_period_end && sub.status != SubscriptionStatus::Incomplete {
        return Ok(SubscriptionRow::update(
            conn,
            sub.id,
            &SubscriptionChanges {
                cancel_at_period_end: Some(true),
                canceled_at: Some(Some(now)),
                ..Default::default()
            },
            now,
        )?);
    }
    let ended = end(conn, billing, sub, now, "subscription.ended")?;
    notify(
        conn,
        billing,
        sub,
        &format!("Subscription of {} canceled", sub.app_name),
        "The subscription is canceled as you asked; the app is back on the Basic edition.",
    )?;
    Ok(ended)
}

/// Rolls a subscription whose period has ended at `now` (claimed by the renewal job): ends it
/// if it was to end, else bills the next period on its (possibly changed) plan and charges the
/// saved payment method. An `incomplete` subscription past [`INCOMPLETE_FOR`] expires.
pub fn renew(
    conn: &mut DbConn,
    billing: &Billing,
    sub: &SubscriptionRow,
    now: NaiveDateTime,
) -> AppResult<()> {
    if sub.status == SubscriptionStatus::Incomplete {
        // A first charge still processing at the provider is waited for.
        if let Some(invoice) = InvoiceRow::open_for(conn, sub.id)? {
            if PaymentRow::pending_for(conn, invoice.id)? {
                return Ok(());
            }
        }
        InvoiceRow::void_open(conn, sub.id, now)?;
        SubscriptionRow::update(
            conn,
            sub.id,
            &SubscriptionChanges {
                status: Some(SubscriptionStatus::IncompleteExpired.as_str()),
                ended_at: Some(now),
                ..Default::default()
            },
            now,
        )?;
        Actor::default().record(
            conn,
            "subscription.expired",
            "subscription",
            Some(sub.id.to_string()),
        )?;
        emit_subscription(conn, billing, sub.id, Event::SubscriptionUpdated, now)?;
        return Ok(());
    }
    if sub.cancel_at_period_end {
        end(
            conn,
            billing,
            sub,
            sub.current_period_end,
            "subscription.ended",
        )?;
        notify(
            conn,
            billing,
            sub,
            &format!("Subscription of {} ended", sub.app_name),
            "The subscription ended at the end of its period, as asked; the app is back on the \
             Basic edition.",
        )?;
        return Ok(());
    }
    let plan = PlanRow::find(conn, sub.next_plan_id.unwrap_or(sub.plan_id))?;
    let start = sub.current_period_end;
    let end_at = next_period_end(sub.billing_anchor, start, plan.billing_interval);
    let rolled = SubscriptionRow::update(
        conn,
        sub.id,
        &SubscriptionChanges {
            plan_id: Some(plan.id),
            next_plan_id: Some(None),
            current_period_start: Some(start),
            current_period_end: Some(end_at),
            ..Default::default()
        },
        now,
    )?;
    Actor::default().record(
        conn,
        "subscription.renewed",
        "subscription",
        Some(sub.id.to_string()),
    )?;
    emit_subscription(conn, billing, sub.id, Event::SubscriptionUpdated, now)?;
    let invoice = invoice_period(conn, billing, &rolled, &plan, (start, end_at), now)?;
    if invoice.status == InvoiceStatus::Paid {
        return activate(conn, &rolled, plan.edition, now);
    }
    let rolled = SubscriptionRow::find(conn, crate::policy::Scope::All, sub.id)?;
    charge(
        conn,
        billing,
        &rolled,
        &invoice,
        None,
        &Actor::default(),
        now,
    )?;
    Ok(())
}

/// Tries a due invoice again (dunning). The subscription is locked first (the order every
/// billing write takes), then the invoice is read again: another replica may have got there.
pub fn retry(
    conn: &mut DbConn,
    billing: &Billing,
    (subscription_id, invoice_id): (i64, i64),
    now: NaiveDateTime,
) -> AppResult<()> {
    let sub = SubscriptionRow::lock(conn, subscription_id)?;
    let invoice = InvoiceRow::find(conn, invoice_id)?;
    let due = invoice.status == InvoiceStatus::Open
        && invoice.next_payment_attempt.is_some_and(|at| at <= now);
    if !due {
        return Ok(());
    }
    if !sub.status.is_live() {
        return Ok(InvoiceRow::void_open(conn, sub.id, now)?);
    }
    charge(conn, billing, &sub, &invoice, None, &Actor::default(), now)?;
    Ok(())
}
