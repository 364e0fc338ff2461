//! Charging a subscription through the payment provider, and what follows a payment or a failure.

use super::*;
use types::ErrorCode;

pub(super) const NO_METHOD: &str = "No payment method is saved for this subscription.";

/// What a charge attempt did: the payment made, one the provider will settle later, or why it
/// failed (the failed attempt, when there was one, is recorded as a payment too).
pub enum Charged {
    Paid(Box<PaymentRow>),
    Pending(Box<PaymentRow>),
    Failed { code: String, message: String },
}

/// 503: the payment provider did not answer; nothing was recorded.
pub(super) fn provider_unavailable(e: &ProviderError) -> AppError {
    match e {
        ProviderError::Unavailable(_) => AppError::new(
            ErrorCode::PaymentProviderUnavailable,
            "The payment provider did not answer. Nothing was charged twice: try again in a \
             moment.",
        ),
        ProviderError::Refused { code, message } => {
            AppError::new(ErrorCode::CardDeclined, format!("{message} ({code})"))
        }
    }
}

/// The billed account's customer record at the provider, when it has one.
pub(super) fn provider_customer(
    conn: &mut DbConn,
    billing: &Billing,
    sub: &SubscriptionRow,
) -> AppResult<Option<String>> {
    match sub.owner_id {
        Some(owner) => Ok(crate::db::invoices::provider_customer(
            conn,
            owner,
            billing.provider.name(),
        )?),
        None => Ok(None),
    }
}

/// Keeps `payment_method` with the provider for the subscription's later charges (creating the
/// owner's customer record there the first time); the id to save on the subscription.
pub fn save_method(
    conn: &mut DbConn,
    billing: &Billing,
    sub: &SubscriptionRow,
    payment_method: &str,
    now: NaiveDateTime,
) -> AppResult<String> {
    let (Some(owner), Some(bill_to)) = (sub.owner_id, BillTo::one(conn, sub.owner_id)?) else {
        return Err(subscription_ended());
    };
    let customer = provider_customer(conn, billing, sub)?;
    let name = bill_to.name();
    let payer = Payer {
        account_id: owner,
        email: &bill_to.email,
        name: &name,
    };
    let saved = billing
        .provider
        .save_method(&payer, customer.as_deref(), payment_method)
        .map_err(|e| provider_unavailable(&e))?;
    if let Some(customer) = &saved.new_customer {
        crate::db::invoices::save_provider_customer(
            conn,
            owner,
            billing.provider.name(),
            customer,
            now,
        )?;
    }
    Ok(saved.payment_method)
}

/// Charges `invoice` to `payment_method` (or the saved one) and records the outcome on the
/// payment, the invoice and the subscription. A success pays the invoice and makes the
/// subscription `active`; a failure of a renewal makes it `past_due` and schedules the retry;
/// a pending charge waits for the provider's webhook ([`settle`]). A provider that does not
/// answer is a 503 and records nothing: the caller's transaction rolls back, and the same
/// attempt is sent again later under the same idempotency key.
pub fn charge(
    conn: &mut DbConn,
    billing: &Billing,
    sub: &SubscriptionRow,
    invoice: &InvoiceRow,
    payment_method: Option<&str>,
    actor: &Actor,
    now: NaiveDateTime,
) -> AppResult<Charged> {
    let due = invoice.total - invoice.amount_paid;
    let attempt = invoice.attempt_count + 1;
    let Some(method) = payment_method.or(sub.payment_method.as_deref()) else {
        after_failure(conn, billing, sub, invoice, (attempt, NO_METHOD), now)?;
        return Ok(Charged::Failed {
            code: "no_payment_method".into(),
            message: NO_METHOD.into(),
        });
    };
    let description = format!("Invoice {}", invoice.number.as_deref().unwrap_or("draft"));
    let customer = provider_customer(conn, billing, sub)?;
    let outcome = billing
        .provider
        .charge(&ChargeRequest {
            amount: due,
            currency: &invoice.currency,
            payment_method: method,
            customer: customer.as_deref(),
            description: &description,
            invoice_id: invoice.id,
            idempotency_key: format!("invoice_{}_attempt_{attempt}_{method}", invoice.id),
        })
        .map_err(|e| provider_unavailable(&e))?;
    let (status, failure, reference) = match outcome {
        ChargeOutcome::Succeeded { reference } => (PaymentStatus::Succeeded, None, Some(reference)),
        ChargeOutcome::Pending { reference } => (PaymentStatus::Pending, None, Some(reference)),
        ChargeOutcome::Declined {
            code,
            message,
            reference,
        } => (PaymentStatus::Failed, Some((code, message)), reference),
    };
    let payment = PaymentRow::insert(
        conn,
        &NewPayment {
            invoice_id: invoice.id,
            invoice_number: invoice.number.clone().unwrap_or_default(),
            subscription_id: sub.id,
            app_id: sub.app_id,
            app_name: sub.app_name.clone(),
            owner_id: sub.owner_id,
            amount: due,
            currency: invoice.currency.clone(),
            status: status.as_str(),
            payment_method: method.to_owned(),
            failure_code: failure.as_ref().map(|f| f.0.clone()),
            failure_message: failure.as_ref().map(|f| f.1.clone()),
            provider: billing.provider.name(),
            provider_reference: reference,
            created_at: now,
        },
    )?;
    let subject = Some(payment.id.to_string());
    match (status, failure) {
        (PaymentStatus::Pending, _) => {
            actor.record(conn, "payment.pending", "payment", subject)?;
            // The attempt is made: the next one gets a new idempotency key. None is scheduled
            // until the provider says how this one ended.
            InvoiceRow::update(
                conn,
                invoice.id,
                &InvoiceChanges {
                    attempt_count: Some(attempt),
                    next_payment_attempt: Some(None),
                    ..Default::default()
                },
                now,
            )?;
            Ok(Charged::Pending(Box::new(payment)))
        }
        (_, None) => {
            actor.record(conn, "payment.succeeded", "payment", subject)?;
            emit_payment(conn, &payment)?;
            after_payment(conn, billing, sub, invoice, now)?;
            Ok(Charged::Paid(Box::new(payment)))
        }
        (_, Some((code, message))) => {
            actor.record(conn, "payment.failed", "payment", subject)?;
            emit_payment(conn, &payment)?;
            after_failure(conn, billing, sub, invoice, (attempt, &message), now)?;
            Ok(Charged::Failed { code, message })
        }
    }
}

/// Settles a pending payment from a verified provider webhook: paid, or failed (and dunned like
/// a declined renewal). A webhook for a payment already settled, or unknown here, changes
/// nothing: providers deliver at least once, in any order.
pub fn settle(
    conn: &mut DbConn,
    billing: &Billing,
    settlement: &Settlement,
    now: NaiveDateTime,
) -> AppResult<()> {
    let provider = billing.provider.name();
    let Some(found) = PaymentRow::by_reference(conn, provider, &settlement.reference)? else {
        tracing::info!(reference = %settlement.reference, "webhook for a charge not made here");
        return Ok(());
    };
    // The order every billing write takes: the subscription, then its invoice and payments.
    let sub = SubscriptionRow::lock(conn, found.subscription_id)?;
    let payment = PaymentRow::find(conn, crate::policy::Scope::All, found.id)?;
    if payment.status != PaymentStatus::Pending {
        return Ok(());
    }
    let invoice = InvoiceRow::find(conn, payment.invoice_id)?;
    let failure = settlement.result.clone().err();
    PaymentRow::settle(conn, payment.id, failure.clone(), now)?;
    let settled = PaymentRow::find(conn, crate::policy::Scope::All, payment.id)?;
    emit_payment(conn, &settled)?;
    let subject = Some(payment.id.to_string());
    let actor = Actor::default();
    let open = invoice.status == InvoiceStatus::Open;
    match failure {
        None => {
            actor.record(conn, "payment.succeeded", "payment", subject)?;
            if open {
                after_payment(conn, billing, &sub, &invoice, now)?;
            } else {
                // Voided meanwhile (the subscription was canceled now): the money came anyway.
                tracing::warn!(
                    payment = payment.id,
                    "a payment succeeded for a closed invoice; refund it at the provider"
                );
            }
        }
        Some((_, message)) => {
            actor.record(conn, "payment.failed", "payment", subject)?;
            if open {
                after_failure(
                    conn,
                    billing,
                    &sub,
                    &invoice,
                    (invoice.attempt_count, &message),
                    now,
                )?;
            }
        }
    }
    Ok(())
}

pub(super) fn after_payment(
    conn: &mut DbConn,
    billing: &Billing,
    sub: &SubscriptionRow,
    invoice: &InvoiceRow,
    now: NaiveDateTime,
) -> AppResult<()> {
    InvoiceRow::update(
        conn,
        invoice.id,
        &InvoiceChanges {
            status: Some(InvoiceStatus::Paid.as_str()),
            amount_paid: Some(invoice.total),
            next_payment_attempt: Some(None),
            paid_at: Some(now),
            ..Default::default()
        },
        now,
    )?;
    let plan = PlanRow::find(conn, sub.plan_id)?;
    activate(conn, sub, plan.edition, now)?;
    notify(
        conn,
        billing,
        sub,
        &format!(
            "Receipt for invoice {}",
            invoice.number.as_deref().unwrap_or("")
        ),
        &format!(
            "We received your payment of {} for {} ({}). The invoice is in Billing > Payments.",
            money(invoice.total - invoice.amount_paid, &invoice.currency),
            sub.app_name,
            plan.name,
        ),
    )
}

/// After failed attempt number `attempts` of `invoice` (with the payer-facing `message`).
pub(super) fn after_failure(
    conn: &mut DbConn,
    billing: &Billing,
    sub: &SubscriptionRow,
    invoice: &InvoiceRow,
    (attempts, message): (i32, &str),
    now: NaiveDateTime,
) -> AppResult<()> {
    let base = invoice.issued_at.unwrap_or(invoice.created_at);
    // Only renewals are dunned: an `incomplete` subscription's first invoice just expires.
    let next = usize::try_from(attempts - 1)
        .ok()
        .and_then(|i| RETRY_DAYS.get(i))
        .map(|days| base + Duration::days(*days))
        .filter(|_| sub.status != SubscriptionStatus::Incomplete);
    InvoiceRow::update(
        conn,
        invoice.id,
        &InvoiceChanges {
            attempt_count: Some(attempts),
            next_payment_attempt: Some(next),
            ..Default::default()
        },
        now,
    )?;
    if sub.status == SubscriptionStatus::Incomplete {
        return Ok(());
    }
    match next {
        Some(retry) => {
            if sub.status != SubscriptionStatus::PastDue {
                SubscriptionRow::update(
                    conn,
                    sub.id,
                    &SubscriptionChanges {
                        status: Some(SubscriptionStatus::PastDue.as_str()),
                        ..Default::default()
                    },
                    now,
                )?;
                Actor::default().record(
                    conn,
                    "subscription.past_due",
                    "subscription",
                    Some(sub.id.to_string()),
                )?;
                emit_subscription(conn, billing, sub.id, Event::SubscriptionUpdated, now)?;
            }
            notify(
                conn,
                billing,
                sub,
                &format!("Payment failed for {}", sub.app_name),
                &format!(
                    "We could not charge {} for {} ({message}). We will try again on {}. \
                     Update your payment method in Billing to keep the app's subscription.",
                    money(invoice.total - invoice.amount_paid, &invoice.currency),
                    sub.app_name,
                    retry.format("%Y-%m-%d"),
                ),
            )
        }
        None => {
            InvoiceRow::update(
                conn,
                invoice.id,
                &InvoiceChanges {
                    status: Some(InvoiceStatus::Uncollectible.as_str()),
                    ..Default::default()
                },
                now,
            )?;
            end(conn, billing, sub, now, "subscription.canceled_unpaid")?;
            notify(
                conn,
                billing,
                sub,
                &format!("Subscription of {} canceled", sub.app_name),
                &format!(
                    "After {attempts} failed attempts to charge {} ({message}), the \
                     subscription of {} is canceled. Subscribe again in Billing at any time.",
                    money(invoice.total - invoice.amount_paid, &invoice.currency),
                    sub.app_name,
                ),
            )
        }
    }
}
