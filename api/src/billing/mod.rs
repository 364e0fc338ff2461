//! Billing: subscribing an app to a plan, coupons, invoices, charges and renewals, following
//! Stripe Billing's semantics. Every operation runs inside the caller's transaction with the
//! subscription row locked, reads "now" from the caller (the shared clock), and audits and emails
//! what it does.

pub mod pdf;
pub mod provider;
pub mod renewal;
pub mod stripe;

use std::collections::HashMap;
use std::sync::Arc;

use actix_web::http::StatusCode;
use chrono::{Duration, Months, NaiveDateTime};
use diesel::prelude::*;
use types::accounts::Role;
use types::apps::AppEdition;
use types::billing::{
    BillingInterval, CouponDuration, Discount, InvoiceStatus, PaymentStatus, Subscription,
    SubscriptionStatus, UpcomingCharge,
};

use crate::db::accounts::AccountRow;
use crate::db::apps::AppRow;
use crate::db::audit::Actor;
use crate::db::invoices::{
    InvoiceChanges, InvoiceLineRow, InvoiceRow, NewInvoice, NewPayment, PaymentRow,
};
use crate::db::plans::{CouponRow, PlanRow};
use crate::db::schema::{accounts, apps};
use crate::db::subscriptions::{
    DiscountTerms, NewSubscription, SubscriptionChanges, SubscriptionRow,
};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::mailer::{Email, Mailer};
use crate::settings::Settings;
use pdf::money;
use provider::{
    ChargeOutcome, ChargeRequest, Payer, PaymentProvider, ProviderError, Settlement, TestProvider,
};
use types::webhooks::WebhookEventType as Event;

/// An `incomplete` subscription whose first invoice stays unpaid this long expires (Stripe: 23 h).
pub const INCOMPLETE_FOR: Duration = Duration::hours(23);
/// Days after a failed renewal charge at which it is tried again; after the last, the
/// subscription is canceled and the invoice marked uncollectible.
pub const RETRY_DAYS: [i64; 3] = [1, 3, 5];

/// The member states of the European Union (reverse charge applies between them).
const EU: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// The seller on invoices.
#[derive(Debug, Clone)]
pub struct Seller {
    pub name: String,
    pub address: String,
    pub vat_id: Option<String>,
    pub country: String,
    /// Basis points.
    pub vat_rate: i32,
}

/// What billing needs beside a connection: the provider, the seller and the mailer.
#[derive(Clone)]
pub struct Billing {
    pub provider: Arc<dyn PaymentProvider>,
    pub seller: Seller,
    pub mailer: Mailer,
}

impl Billing {
    /// Fails when the chosen payment provider lacks its settings.
    pub fn new(settings: &Settings, mailer: Mailer) -> anyhow::Result<Self> {
        let provider: Arc<dyn PaymentProvider> = match settings.stripe()? {
            Some(config) => Arc::new(stripe::StripeProvider::new(config)),
            None => Arc::new(TestProvider),
        };
        Ok(Self {
            provider,
            seller: Seller {
                name: settings.seller_name.clone(),
                address: settings.seller_address.replace("\\n", "\n"),
                vat_id: settings.seller_vat_id.clone().filter(|v| !v.is_empty()),
                country: settings.seller_country.to_uppercase(),
                vat_rate: settings.vat_rate_bp,
            },
            mailer,
        })
    }
}

/// The amounts of an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amounts {
    pub subtotal: i64,
    pub discount: i64,
    pub tax: i64,
    pub total: i64,
}

/// `value × numerator / denominator`, rounded half up (amounts are never negative).
fn share(value: i64, numerator: i64, denominator: i64) -> i64 {
    let exact = i128::from(value) * i128::from(numerator);
    let d = i128::from(denominator);
    i64::try_from((exact + d / 2) / d).unwrap_or(i64::MAX)
}

/// The discount on `subtotal`: a percentage (rounded half up), or an amount (at most the
/// subtotal); then VAT at `vat_rate` basis points on what is left.
pub fn amounts(
    subtotal: i64,
    percent_off: Option<i32>,
    amount_off: Option<i64>,
    vat_rate: i32,
) -> Amounts {
    let discount = match (percent_off, amount_off) {
        (Some(p), _) => share(subtotal, i64::from(p), 100),
        (None, Some(a)) => a.min(subtotal),
        (None, None) => 0,
    };
    let net = subtotal - discount;
    let tax = share(net, i64::from(vat_rate), 10_000);
    Amounts {
        subtotal,
        discount,
        tax,
        total: net + tax,
    }
}

/// The VAT rate for a buyer and whether the reverse charge applies: the seller's rate at home
/// and for consumers (no VAT id) elsewhere in the EU; none, reverse charged, for a business with
/// a VAT id elsewhere in the EU; none outside the EU (services exported). A seller outside the
/// EU charges its rate to all.
pub fn vat_for(seller: &Seller, country: Option<&str>, vat_id: Option<&str>) -> (i32, bool) {
    let seller_in_eu = EU.contains(&seller.country.as_str());
    match country.map(str::to_uppercase) {
        _ if !seller_in_eu => (seller.vat_rate, false),
        None => (seller.vat_rate, false),
        Some(c) if c == seller.country => (seller.vat_rate, false),
        Some(c) if EU.contains(&c.as_str()) => match vat_id.filter(|v| !v.trim().is_empty()) {
            Some(_) => (0, true),
            None => (seller.vat_rate, false),
        },
        Some(_) => (0, false),
    }
}

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
fn discount_covers(sub: &SubscriptionRow, start: NaiveDateTime) -> bool {
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

/// The billed account's details, as the invoice addresses it.
#[derive(Debug, Clone, Queryable)]
pub struct BillTo {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub country: Option<String>,
    pub billing_name: Option<String>,
    pub billing_address: Option<String>,
    pub vat_id: Option<String>,
}

impl BillTo {
    pub fn load(conn: &mut DbConn, ids: &[i64]) -> AppResult<HashMap<i64, Self>> {
        let rows: Vec<(i64, Self)> = accounts::table
            .filter(accounts::id.eq_any(ids))
            .select((
                accounts::id,
                (
                    accounts::email,
                    accounts::first_name,
                    accounts::last_name,
                    accounts::company,
                    accounts::country,
                    accounts::billing_name,
                    accounts::billing_address,
                    accounts::vat_id,
                ),
            ))
            .load(conn)?;
        Ok(rows.into_iter().collect())
    }

    fn one(conn: &mut DbConn, id: Option<i64>) -> AppResult<Option<Self>> {
        Ok(match id {
            Some(id) => Self::load(conn, &[id])?.remove(&id),
            None => None,
        })
    }

    /// The name on the invoice: the billing name, else the company, else the person.
    pub fn name(&self) -> String {
        self.billing_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or_else(|| self.company.clone().filter(|c| !c.trim().is_empty()))
            .unwrap_or_else(|| format!("{} {}", self.first_name, self.last_name))
    }

    /// The greeting in emails.
    fn greeting(&self) -> &str {
        &self.first_name
    }
}

/// What an invoice for a period of `plan` would charge the subscription's account.
fn price_period(
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

fn interval_word(interval: BillingInterval) -> &'static str {
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

/// Sets the app's edition (it follows its plan while subscribed, and is `basic` without one).
fn set_edition(conn: &mut DbConn, app_id: Option<i64>, edition: AppEdition) -> AppResult<()> {
    if let Some(app) = app_id {
        diesel::update(apps::table.find(app))
            .set(apps::edition.eq(edition.as_str()))
            .execute(conn)?;
    }
    Ok(())
}

/// The subscription is paid for: `active`, and the app takes `edition` (its plan's).
fn activate(
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
fn notify(
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

const NO_METHOD: &str = "No payment method is saved for this subscription.";

/// What a charge attempt did: the payment made, one the provider will settle later, or why it
/// failed (the failed attempt, when there was one, is recorded as a payment too).
pub enum Charged {
    Paid(Box<PaymentRow>),
    Pending(Box<PaymentRow>),
    Failed { code: String, message: String },
}

/// 503: the payment provider did not answer; nothing was recorded.
fn provider_unavailable(e: &ProviderError) -> AppError {
    match e {
        ProviderError::Unavailable(_) => AppError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "payment_provider_unavailable",
            "The payment provider did not answer. Nothing was charged twice: try again in a \
             moment.",
        ),
        ProviderError::Refused { code, message } => AppError::new(
            StatusCode::PAYMENT_REQUIRED,
            "card_declined",
            format!("{message} ({code})"),
        ),
    }
}

/// The billed account's customer record at the provider, when it has one.
fn provider_customer(
    conn: &mut DbConn,
    billing: &Billing,
    sub: &SubscriptionRow,
) -> AppResult<Option<String>> {
    match sub.owner_id {
        Some(owner) => crate::db::invoices::provider_customer(conn, owner, billing.provider.name()),
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

fn after_payment(
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
fn after_failure(
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

/// Ends the subscription now: `canceled`, open invoices voided, the app back to Basic.
fn end(
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

fn coupon_error(field: &str, code: &'static str, detail: &str) -> AppError {
    AppError::new(StatusCode::UNPROCESSABLE_ENTITY, code, detail).on_field(field)
}

/// The coupon `code` (sent as the request's `field`) if the account `owner` may redeem it on
/// `plan` at `now`, else why not: 422 `coupon_not_found` (unknown, or another partner's),
/// `coupon_expired`, `coupon_not_applicable`, `coupon_currency_mismatch`, `coupon_exhausted`.
fn usable_coupon(
    conn: &mut DbConn,
    owner: Option<i64>,
    plan: &PlanRow,
    (field, code): (&str, &str),
    now: NaiveDateTime,
) -> AppResult<CouponRow> {
    let owner_partner = match owner {
        Some(owner) => AccountRow::find(conn, owner)?.and_then(|a| a.partner_id),
        None => None,
    };
    // A partner's coupon is for that partner's customers (and the partner itself) only.
    let issuers: Vec<i64> = owner.into_iter().chain(owner_partner).collect();
    let (coupon, plans) = CouponRow::find_by_code(conn, code, &issuers)?
        .ok_or_else(|| coupon_error(field, "coupon_not_found", "No such coupon."))?;
    if coupon.redeem_by.is_some_and(|by| now > by) {
        return Err(coupon_error(
            field,
            "coupon_expired",
            "This coupon can no longer be redeemed.",
        ));
    }
    if !plans.is_empty() && !plans.contains(&plan.id) {
        return Err(coupon_error(
            field,
            "coupon_not_applicable",
            "This coupon does not apply to the subscription's plan.",
        ));
    }
    if coupon
        .currency
        .as_deref()
        .is_some_and(|c| !c.eq_ignore_ascii_case(&plan.currency))
    {
        return Err(coupon_error(
            field,
            "coupon_currency_mismatch",
            "This coupon takes off an amount in another currency than the plan's.",
        ));
    }
    if !coupon.valid_at(now) {
        return Err(exhausted(field));
    }
    Ok(coupon)
}

fn exhausted(field: &str) -> AppError {
    coupon_error(
        field,
        "coupon_exhausted",
        "This coupon has been redeemed as many times as it may be.",
    )
}

/// What subscribing `app` to `plan` (with a coupon) would charge first, and when: the coupon
/// checked as subscribing checks it, VAT as the owner's invoice will have it. Nothing is stored.
pub fn preview(
    conn: &mut DbConn,
    billing: &Billing,
    app: &AppRow,
    plan: &PlanRow,
    coupon: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<UpcomingCharge> {
    let coupon = coupon
        .map(|code| usable_coupon(conn, Some(app.owner_id), plan, ("coupon_code", code), now))
        .transpose()?;
    let bill_to = BillTo::one(conn, Some(app.owner_id))?;
    let (vat_rate, _) = vat_for(
        &billing.seller,
        bill_to.as_ref().and_then(|b| b.country.as_deref()),
        bill_to.as_ref().and_then(|b| b.vat_id.as_deref()),
    );
    let a = amounts(
        plan.price,
        coupon.as_ref().and_then(|c| c.percent_off),
        coupon.as_ref().and_then(|c| c.amount_off),
        vat_rate,
    );
    Ok(UpcomingCharge {
        at: crate::db::utc(now + Duration::days(i64::from(plan.trial_days))),
        subtotal: a.subtotal,
        discount: a.discount,
        tax: a.tax,
        total: a.total,
        currency: plan.currency.clone(),
    })
}

/// Redeems `code` (sent as the request's `field`) on the subscription, with Stripe's refusals.
/// A discount in force is never dropped silently: another coupon is 409
/// `coupon_already_applied` unless `replace`.
pub fn apply_coupon(
    conn: &mut DbConn,
    sub: &SubscriptionRow,
    (field, code): (&str, &str),
    replace: bool,
    now: NaiveDateTime,
) -> AppResult<SubscriptionRow> {
    if !sub.status.is_live() {
        return Err(subscription_ended());
    }
    let plan = PlanRow::find(conn, sub.next_plan_id.unwrap_or(sub.plan_id))?;
    let coupon = usable_coupon(conn, sub.owner_id, &plan, (field, code), now)?;
    if discount_of(sub, now).is_some() {
        if !replace {
            return Err(AppError::conflict(
                "coupon_already_applied",
                "The subscription already has a discount. Send `replace: true` to replace it with this one.",
            ));
        }
        // Replacing a discount by itself would only spend another redemption.
        if sub.coupon_id == Some(coupon.id) {
            return Err(AppError::conflict(
                "coupon_already_applied",
                "This coupon is already the subscription's discount.",
            ));
        }
    }
    // The count is checked again as it is taken: two redemptions at once never exceed it.
    if !CouponRow::redeem(conn, coupon.id)? {
        return Err(exhausted(field));
    }
    let end = match coupon.duration {
        CouponDuration::Repeating => coupon
            .duration_in_months
            .and_then(|m| now.checked_add_months(Months::new(m.unsigned_abs()))),
        CouponDuration::Once | CouponDuration::Forever => None,
    };
    SubscriptionRow::set_discount(
        conn,
        sub.id,
        &DiscountTerms {
            coupon_id: Some(coupon.id),
            discount_code: Some(coupon.code.clone()),
            discount_percent_off: coupon.percent_off,
            discount_amount_off: coupon.amount_off,
            discount_currency: coupon.currency.clone(),
            discount_duration: Some(coupon.duration.as_str()),
            discount_start: Some(now),
            discount_end: end,
        },
        now,
    )
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
        return Err(AppError::conflict(
            "has_active_subscription",
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

/// What a partner's coupon may take off: at most `max_percent` of the price of each plan it
/// applies to (an amount off must name its plans so that this can be checked), and never 100 %
/// forever, which only an administrator gives. 422 on the field beyond it.
pub fn ensure_partner_discount(
    coupon: &types::billing::CreateCoupon,
    plans: &std::collections::HashMap<i64, PlanRow>,
    max_percent: i32,
) -> AppResult<()> {
    let too_much = |field: &str| {
        AppError::invalid_field(
            field,
            format!("a partner's coupon takes off at most {max_percent} % of the price; ask an administrator for more"),
        )
    };
    if let Some(percent) = coupon.percent_off {
        let forever_free = percent >= 100 && coupon.duration == CouponDuration::Forever;
        if percent > max_percent || forever_free {
            return Err(too_much("percent_off"));
        }
    }
    if let Some(amount) = coupon.amount_off {
        if plans.is_empty() {
            return Err(AppError::invalid_field(
                "plan_ids",
                "a partner's amount-off coupon names the plans it is for",
            ));
        }
        if plans
            .values()
            .any(|p| amount * 100 > p.price * i64::from(max_percent))
        {
            return Err(too_much("amount_off"));
        }
    }
    Ok(())
}

/// Who may move an app from `from` to `to` by hand: anyone may go down to Basic, only an
/// administrator up to Standard (a grant); everyone else gets Standard from a subscription, and
/// 409 `edition_follows_plan` here.
pub fn ensure_may_set_edition(role: Role, from: AppEdition, to: AppEdition) -> AppResult<()> {
    if to == AppEdition::Standard && from != AppEdition::Standard && role != Role::Admin {
        return Err(AppError::conflict(
            "edition_follows_plan",
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
        Some(sub) if sub.status != SubscriptionStatus::Incomplete => Err(AppError::conflict(
            "edition_follows_plan",
            "The app's edition is its subscription plan's: change the plan to change it.",
        )),
        _ => Ok(()),
    }
}

pub fn subscription_ended() -> AppError {
    AppError::conflict(
        "subscription_ended",
        "This subscription has ended. Subscribe the app again.",
    )
}

pub fn subscription_exists() -> AppError {
    AppError::conflict(
        "subscription_exists",
        "The app already has a subscription. Change its plan instead.",
    )
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
    SubscriptionRow::find(conn, crate::policy::Scope::All, sub.id)
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
        return SubscriptionRow::update(
            conn,
            sub.id,
            &SubscriptionChanges {
                cancel_at_period_end: Some(true),
                canceled_at: Some(Some(now)),
                ..Default::default()
            },
            now,
        );
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
        return InvoiceRow::void_open(conn, sub.id, now);
    }
    charge(conn, billing, &sub, &invoice, None, &Actor::default(), now)?;
    Ok(())
}

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

/// [`emit_subscription`] with the wire form the caller already made of `sub`.
pub fn emit_subscription_wire(
    conn: &mut DbConn,
    sub: &SubscriptionRow,
    event: Event,
    wire: &Subscription,
) -> AppResult<()> {
    match sub.owner_id {
        Some(owner) => crate::webhooks::emit(conn, owner, event, wire),
        None => Ok(()),
    }
}

/// Tells the webhooks of the payment's owner how it ended (`pending` ones wait until then).
fn emit_payment(conn: &mut DbConn, payment: &PaymentRow) -> AppResult<()> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap_or_default()
    }

    fn seller() -> Seller {
        Seller {
            name: "S".into(),
            address: "A".into(),
            vat_id: None,
            country: "FR".into(),
            vat_rate: 2000,
        }
    }

    #[test]
    fn discounts_round_half_up_and_vat_applies_to_what_is_left() {
        assert_eq!(
            amounts(4900, Some(20), None, 2000),
            Amounts {
                subtotal: 4900,
                discount: 980,
                tax: 784,
                total: 4704
            }
        );
        // 33 % of 4999 is 1649.67: 1650.
        assert_eq!(amounts(4999, Some(33), None, 0).discount, 1650);
        // An amount off never takes the invoice below zero.
        assert_eq!(amounts(500, None, Some(2000), 2000).total, 0);
        // 19.6 % of 1001 is 196.196: 196.
        assert_eq!(amounts(1001, None, None, 1960).tax, 196);
    }

    #[test]
    fn vat_follows_where_the_buyer_is_and_whether_it_is_a_business() {
        let s = seller();
        assert_eq!(vat_for(&s, Some("FR"), Some("FR123")), (2000, false));
        assert_eq!(vat_for(&s, Some("DE"), Some("DE123456789")), (0, true));
        assert_eq!(vat_for(&s, Some("DE"), None), (2000, false));
        assert_eq!(vat_for(&s, Some("US"), None), (0, false));
        assert_eq!(vat_for(&s, None, None), (2000, false));
        let outside = Seller {
            country: "US".into(),
            ..seller()
        };
        assert_eq!(vat_for(&outside, Some("DE"), Some("DE1")), (2000, false));
    }

    #[test]
    fn monthly_periods_keep_their_day_of_the_month_when_they_can() {
        let anchor = at(2026, 1, 31);
        let feb = next_period_end(anchor, anchor, BillingInterval::Month);
        assert_eq!(feb, at(2026, 2, 28));
        let mar = next_period_end(anchor, feb, BillingInterval::Month);
        assert_eq!(mar, at(2026, 3, 31));
        assert_eq!(
            next_period_end(at(2024, 2, 29), at(2024, 2, 29), BillingInterval::Year),
            at(2025, 2, 28)
        );
    }
}
