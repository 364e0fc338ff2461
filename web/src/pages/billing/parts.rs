//! What the billing pages share: badges, prices, discounts, the test cards, a fresh idempotency key.

use leptos::prelude::*;
use types::billing::{CouponDuration, Payment, PaymentStatus, Plan, SubscriptionStatus};
use types::{query, Page, PageQuery};

use crate::api;
use crate::money;

pub(super) const PER_PAGE: u32 = 20;

/// Stripe's test payment methods the `test` provider knows, as a person would pick them.
pub(super) const TEST_CARDS: [(&str, &str); 3] = [
    ("pm_card_visa", "Visa •••• 4242 (succeeds)"),
    ("pm_card_chargeDeclined", "Visa •••• 0002 (declined)"),
    (
        "pm_card_chargeDeclinedInsufficientFunds",
        "Visa •••• 9995 (insufficient funds)",
    ),
];

pub(super) fn bump(v: RwSignal<u32>) {
    v.update(|v| *v += 1);
}

pub fn subscription_badge(status: SubscriptionStatus) -> impl IntoView {
    let tone = match status {
        SubscriptionStatus::Active => "badge-success",
        SubscriptionStatus::Trialing => "badge-kind",
        SubscriptionStatus::Incomplete | SubscriptionStatus::PastDue => "badge-warning",
        SubscriptionStatus::Canceled | SubscriptionStatus::IncompleteExpired => "badge-danger",
    };
    view! { <span class=format!("badge {tone}")>{status.label()}</span> }
}

pub(super) fn payment_badge(p: &Payment) -> impl IntoView {
    match p.status {
        PaymentStatus::Succeeded => view! { <span class="badge badge-success">"Paid"</span> }.into_any(),
        PaymentStatus::Pending => view! {
            <span class="badge badge-warning" title="The payment provider has not confirmed it yet">"Processing"</span>
        }
        .into_any(),
        PaymentStatus::Failed => view! {
            <span class="badge badge-danger" title=p.failure_message.clone()>
                {format!("Failed: {}", p.failure_code.clone().unwrap_or_default().replace('_', " "))}
            </span>
        }
        .into_any(),
    }
}

/// "€49.00 / month".
pub(super) fn price(plan: &Plan) -> String {
    let per = match plan.interval {
        types::billing::BillingInterval::Month => "month",
        types::billing::BillingInterval::Year => "year",
    };
    format!("{} / {per}", money::format(plan.price, &plan.currency))
}

/// "25 % off" or "€10.00 off", and for how long.
pub(super) fn discount_text(
    percent: Option<i32>,
    amount: Option<i64>,
    currency: Option<&str>,
    duration: CouponDuration,
    months: Option<i32>,
) -> String {
    let off = match (percent, amount) {
        (Some(p), _) => format!("{p} % off"),
        (None, Some(a)) => format!("{} off", money::format(a, currency.unwrap_or("EUR"))),
        _ => String::new(),
    };
    let how_long = match (duration, months) {
        (CouponDuration::Once, _) => "the next invoice".to_owned(),
        (CouponDuration::Repeating, Some(m)) => format!("{m} months"),
        (CouponDuration::Repeating, None) => "some months".to_owned(),
        (CouponDuration::Forever, _) => "every invoice".to_owned(),
    };
    format!("{off}, {how_long}")
}

/// A fresh `Idempotency-Key` for one attempt: a retry of the request (a flaky network) reuses it.
pub(super) fn idempotency_key() -> String {
    format!(
        "spa-{:x}-{:x}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * 1e15) as u64
    )
}

pub(super) fn card_label(pm: &str) -> String {
    TEST_CARDS
        .iter()
        .find(|(id, _)| *id == pm)
        .map_or_else(|| pm.to_owned(), |(_, label)| (*label).to_owned())
}

/// The plans a subscription may move to (or start on).
pub(super) fn active_plans() -> LocalResource<Result<Page<Plan>, api::ApiError>> {
    LocalResource::new(|| async { api::get::<Page<Plan>>(&plans_path()).await })
}

/// Every plan there is (fewer than a hundred): the plans page and the pickers.
pub(super) fn plans_path() -> String {
    query::path_with("plans", &PageQuery::after(None, 100))
}
