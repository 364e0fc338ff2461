//! "Billing Subscriptions Management" and "Payment Overview": plans, one subscription per app,
//! coupons, invoices and payments. Semantics follow Stripe Billing. Money is in integer minor
//! units of the record's `currency`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::apps::AppEdition;
use crate::orders::{currency_schema, field_error};
use crate::rules;

/// The largest price a plan may have, in minor units.
pub const MAX_PRICE: i64 = 100_000_000;

crate::string_enum! {
    /// How often a plan bills.
    pub enum BillingInterval {
        Month = "month",
        Year = "year",
    }
}

crate::string_enum! {
    /// Where a subscription stands (Stripe's statuses). Created without a trial it is
    /// `incomplete` until its first invoice is paid (`incomplete_expired` after 23 hours unpaid);
    /// with a trial it is `trialing`. A paid period makes it `active`; a failed renewal charge
    /// `past_due` (retried 1, 3 and 5 days later, then `canceled`).
    pub enum SubscriptionStatus {
        Incomplete = "incomplete",
        IncompleteExpired = "incomplete_expired",
        Trialing = "trialing",
        Active = "active",
        PastDue = "past_due",
        Canceled = "canceled",
    }
}

impl SubscriptionStatus {
    /// Whether the subscription still runs (it counts as the app's one live subscription).
    pub fn is_live(self) -> bool {
        !matches!(self, Self::Canceled | Self::IncompleteExpired)
    }

    /// How the back office names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Incomplete => "Awaiting payment",
            Self::IncompleteExpired => "Expired",
            Self::Trialing => "Trial",
            Self::Active => "Active",
            Self::PastDue => "Past due",
            Self::Canceled => "Canceled",
        }
    }
}

crate::string_enum! {
    /// How long a coupon's discount lasts: one invoice, the invoices of N months, or always.
    pub enum CouponDuration {
        Once = "once",
        Repeating = "repeating",
        Forever = "forever",
    }
}

crate::string_enum! {
    /// `draft` → `open` (finalised: numbered, awaiting payment) → `paid`, or `void` (canceled
    /// before payment) or `uncollectible` (dunning gave up).
    pub enum InvoiceStatus {
        Draft = "draft",
        Open = "open",
        Paid = "paid",
        Void = "void",
        Uncollectible = "uncollectible",
    }
}

crate::string_enum! {
    /// Whether a charge went through. `pending`: the provider answers later (a bank debit still
    /// processing); its signed webhook settles the payment.
    pub enum PaymentStatus {
        Pending = "pending",
        Succeeded = "succeeded",
        Failed = "failed",
    }
}

/// A price list entry customers subscribe their apps to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Plan {
    #[schema(example = "1")]
    pub id: String,
    #[schema(example = "Standard monthly")]
    pub name: String,
    /// The edition an app on this plan gets.
    pub edition: AppEdition,
    pub interval: BillingInterval,
    /// Price of one interval before discount and VAT, in minor units.
    #[schema(example = 4900)]
    pub price: i64,
    #[schema(schema_with = currency_schema)]
    pub currency: String,
    /// Days of free trial before the first charge (0: none).
    pub trial_days: i32,
    /// Inactive (archived) plans keep their subscribers but take no new ones.
    pub active: bool,
    /// Apps in their trial may submit publish requests (else only paid, `active` ones).
    pub publish_in_trial: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new plan (administrators).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
pub struct CreatePlan {
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"\S",
        example = "Standard monthly"
    )]
    pub name: String,
    pub edition: AppEdition,
    pub interval: BillingInterval,
    /// In minor units.
    #[validate(range(min = 0, max = 100_000_000))]
    #[schema(minimum = 0, maximum = 100_000_000, example = 4900)]
    pub price: i64,
    #[validate(custom(function = "rules::currency_code"))]
    #[schema(schema_with = currency_schema)]
    pub currency: String,
    #[serde(default)]
    #[validate(range(min = 0, max = 365))]
    #[schema(minimum = 0, maximum = 365, default = 0)]
    pub trial_days: i32,
    /// Defaults to `true`.
    #[serde(default)]
    pub active: Option<bool>,
    /// Defaults to `false`.
    #[serde(default)]
    pub publish_in_trial: Option<bool>,
}

/// Changes to a plan. Edition, interval, price and currency are fixed once a subscription uses
/// the plan (409 `plan_in_use`): create a new plan and archive this one (`active: false`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
pub struct UpdatePlan {
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    pub edition: Option<AppEdition>,
    pub interval: Option<BillingInterval>,
    #[validate(range(min = 0, max = 100_000_000))]
    #[schema(minimum = 0, maximum = 100_000_000)]
    pub price: Option<i64>,
    #[validate(custom(function = "rules::currency_code"))]
    #[schema(schema_with = currency_schema)]
    pub currency: Option<String>,
    #[validate(range(min = 0, max = 365))]
    #[schema(minimum = 0, maximum = 365)]
    pub trial_days: Option<i32>,
    pub active: Option<bool>,
    pub publish_in_trial: Option<bool>,
}

/// Filters of the plans list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct PlanFilter {
    /// Only active (or archived) plans. Everyone but administrators sees active plans only.
    pub active: Option<bool>,
    #[param(inline)]
    pub edition: Option<AppEdition>,
}

/// A discount customers redeem by code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Coupon {
    #[schema(example = "1")]
    pub id: String,
    /// As created; matched whatever its case.
    #[schema(example = "WELCOME20")]
    pub code: String,
    /// The partner whose customers may redeem it; absent: any customer (an administrator's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
    /// Percent taken off (1–100); or else `amount_off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_off: Option<i32>,
    /// Amount taken off each discounted invoice, in minor units of `currency`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_off: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = currency_schema)]
    pub currency: Option<String>,
    pub duration: CouponDuration,
    /// For `repeating`: how many months of invoices are discounted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_in_months: Option<i32>,
    /// Last moment it can be redeemed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redeem_by: Option<DateTime<Utc>>,
    /// How many subscriptions may redeem it in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_redemptions: Option<i32>,
    pub times_redeemed: i32,
    /// The plans it applies to (empty: any plan).
    pub plan_ids: Vec<String>,
    /// Whether it can still be redeemed now (not past `redeem_by`, not exhausted).
    pub valid: bool,
    pub created_at: DateTime<Utc>,
}

/// A new coupon (administrators, and partners for their own customers). Exactly one of
/// `percent_off` and `amount_off` (with `currency`); `duration_in_months` with `repeating` only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[validate(schema(function = "coupon_terms", skip_on_field_errors = true))]
pub struct CreateCoupon {
    /// Letters, digits, `-` and `_`; unique whatever the case.
    #[validate(length(min = 3, max = 40), custom(function = "coupon_code"))]
    #[schema(
        min_length = 3,
        max_length = 40,
        pattern = "^[A-Za-z0-9_-]+$",
        example = "WELCOME20"
    )]
    pub code: String,
    #[validate(range(min = 1, max = 100))]
    #[schema(minimum = 1, maximum = 100)]
    pub percent_off: Option<i32>,
    #[validate(range(min = 1, max = 100_000_000))]
    #[schema(minimum = 1, maximum = 100_000_000)]
    pub amount_off: Option<i64>,
    #[validate(custom(function = "rules::currency_code"))]
    #[schema(schema_with = currency_schema)]
    pub currency: Option<String>,
    pub duration: CouponDuration,
    #[validate(range(min = 1, max = 120))]
    #[schema(minimum = 1, maximum = 120)]
    pub duration_in_months: Option<i32>,
    pub redeem_by: Option<DateTime<Utc>>,
    #[validate(range(min = 1, max = 1_000_000))]
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub max_redemptions: Option<i32>,
    /// Limit it to these plans.
    #[serde(default)]
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub plan_ids: Vec<String>,
}

/// Changes to a coupon: its terms are fixed once created (as Stripe's are); these limits are not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
pub struct UpdateCoupon {
    /// `null` removes the limit.
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub redeem_by: Option<Option<DateTime<Utc>>>,
    /// `null` removes the limit.
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(range(min = 1, max = 1_000_000))]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 1_000_000)]
    pub max_redemptions: Option<Option<i32>>,
}

fn coupon_code(code: &str) -> Result<(), ValidationError> {
    if code
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        Ok(())
    } else {
        Err(ValidationError::new("coupon_code")
            .with_message("may hold only letters, digits, - and _".into()))
    }
}

fn coupon_terms(c: &CreateCoupon) -> Result<(), ValidationError> {
    let fail = |field, message: &str| Err(field_error(field, message.to_owned()));
    match (c.percent_off, c.amount_off) {
        (Some(_), Some(_)) | (None, None) => {
            return fail("percent_off", "give either percent_off or amount_off")
        }
        (None, Some(_)) if c.currency.is_none() => {
            return fail("currency", "is required with amount_off")
        }
        (Some(_), None) if c.currency.is_some() => {
            return fail("currency", "goes with amount_off only")
        }
        _ => {}
    }
    match (c.duration, c.duration_in_months) {
        (CouponDuration::Repeating, None) => {
            fail("duration_in_months", "is required for a repeating coupon")
        }
        (CouponDuration::Once | CouponDuration::Forever, Some(_)) => {
            fail("duration_in_months", "goes with a repeating coupon only")
        }
        _ => Ok(()),
    }
}

/// The discount a subscription has, from the coupon it redeemed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Discount {
    /// The coupon's code.
    #[schema(example = "WELCOME20")]
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_off: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_off: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = currency_schema)]
    pub currency: Option<String>,
    pub duration: CouponDuration,
    pub start: DateTime<Utc>,
    /// Invoices of periods starting before this are discounted; absent: until further notice
    /// (`forever`, or `once` not used yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<DateTime<Utc>>,
}

/// What the next invoice will charge, after discount and VAT.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UpcomingCharge {
    /// When it is charged.
    pub at: DateTime<Utc>,
    pub subtotal: i64,
    pub discount: i64,
    pub tax: i64,
    pub total: i64,
    #[schema(schema_with = currency_schema)]
    pub currency: String,
}

/// An app's subscription to a plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Subscription {
    #[schema(example = "1")]
    pub id: String,
    /// Absent once the app is deleted (the subscription and its invoices stay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    pub app_name: String,
    /// The account billed (the app's owner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
    pub plan: Plan,
    /// The plan that takes over at the next period, after a change of plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_plan: Option<Plan>,
    pub status: SubscriptionStatus,
    pub current_period_start: DateTime<Utc>,
    pub current_period_end: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_end: Option<DateTime<Utc>>,
    /// It ends at the end of this period instead of renewing.
    pub cancel_at_period_end: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canceled_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// The saved payment method renewals charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_method: Option<String>,
    /// The discount in force.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub discount: Option<Discount>,
    /// The invoice awaiting payment, if any (pay it with `POST subscriptions/{id}/pay`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_invoice: Option<InvoiceSummary>,
    /// What the next renewal will charge (absent when the subscription will not renew).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upcoming: Option<UpcomingCharge>,
    pub created_at: DateTime<Utc>,
}

/// An app subscribes to a plan. Without a trial, the first invoice is issued at once and the
/// subscription is `incomplete` until it is paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
pub struct CreateSubscription {
    #[validate(custom(function = "rules::numeric_id"))]
    #[schema(example = "1")]
    pub plan_id: String,
    /// A coupon to redeem with it (refused as `POST subscriptions/{id}/coupon` refuses it).
    #[validate(length(min = 1, max = 40))]
    #[schema(min_length = 1, max_length = 40)]
    pub coupon_code: Option<String>,
}

/// What to price with `GET apps/{id}/subscription/preview`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    #[validate(custom(function = "rules::numeric_id"))]
    #[param(example = "1")]
    pub plan_id: String,
    /// A coupon to check and price in.
    #[validate(length(min = 1, max = 40))]
    #[param(min_length = 1, max_length = 40)]
    pub coupon_code: Option<String>,
}

/// Changes to a subscription: a change of plan takes effect at the next period; setting
/// `cancel_at_period_end` to `false` keeps a subscription that was to end.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
pub struct UpdateSubscription {
    #[validate(custom(function = "rules::numeric_id"))]
    pub plan_id: Option<String>,
    pub cancel_at_period_end: Option<bool>,
}

/// Ends a subscription: at the end of the period (it keeps running until then), or now (open
/// invoices are voided).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
pub struct CancelSubscription {
    pub at_period_end: bool,
}

/// Redeems a coupon on a subscription. A subscription has one discount: another one is refused
/// (409 `coupon_already_applied`) unless `replace` is `true`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
pub struct ApplyCoupon {
    #[validate(length(min = 1, max = 40))]
    #[schema(min_length = 1, max_length = 40, example = "WELCOME20")]
    pub code: String,
    #[serde(default)]
    pub replace: bool,
}

/// Pays what the subscription owes (its open invoice) and saves the payment method for renewals.
/// With nothing owed, only saves the payment method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
pub struct PaySubscription {
    /// A payment method id of the provider (`pm_…`); in test mode `pm_card_visa` succeeds,
    /// `pm_card_chargeDeclined` and `pm_card_chargeDeclinedInsufficientFunds` are declined.
    #[validate(length(min = 3, max = 255), custom(function = "payment_method_id"))]
    #[schema(
        min_length = 3,
        max_length = 255,
        pattern = "^pm_[A-Za-z0-9_]+$",
        example = "pm_card_visa"
    )]
    pub payment_method: String,
}

fn payment_method_id(id: &str) -> Result<(), ValidationError> {
    let ok = id.strip_prefix("pm_").is_some_and(|rest| {
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("payment_method")
            .with_message("must be a payment method id (pm_…), never card details".into()))
    }
}

/// What paying did.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PayResult {
    pub subscription: Subscription,
    /// The charge made (absent when nothing was owed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<Payment>,
}

/// Filters of the subscriptions list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct SubscriptionFilter {
    #[param(inline)]
    pub status: Option<SubscriptionStatus>,
    #[validate(custom(function = "rules::numeric_id"))]
    pub app_id: Option<String>,
    #[validate(custom(function = "rules::numeric_id"))]
    pub plan_id: Option<String>,
}

/// An invoice in a list or on a subscription.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InvoiceSummary {
    pub id: String,
    /// `YYYY-NNNNNN`, gapless per calendar year.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "2026-000042")]
    pub number: Option<String>,
    pub status: InvoiceStatus,
    pub total: i64,
    pub amount_due: i64,
    #[schema(schema_with = currency_schema)]
    pub currency: String,
    pub period_start: DateTime<Utc>,
    pub period_end: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issued_at: Option<DateTime<Utc>>,
    /// When collection is tried again (dunning).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_payment_attempt: Option<DateTime<Utc>>,
}

/// One charge of a subscription's invoice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Payment {
    #[schema(example = "1")]
    pub id: String,
    pub subscription_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    pub app_name: String,
    pub invoice_id: String,
    #[schema(example = "2026-000042")]
    pub invoice_number: String,
    pub amount: i64,
    #[schema(schema_with = currency_schema)]
    pub currency: String,
    pub status: PaymentStatus,
    pub payment_method: String,
    /// Why it failed (`card_declined`, `insufficient_funds`, `no_payment_method`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When a `pending` payment was settled by the provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<DateTime<Utc>>,
}

/// Filters of the payments list and its CSV export.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct PaymentFilter {
    #[validate(custom(function = "rules::numeric_id"))]
    pub app_id: Option<String>,
    #[param(inline)]
    pub status: Option<PaymentStatus>,
    /// Made at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Made before this time.
    pub to: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coupon() -> CreateCoupon {
        CreateCoupon {
            code: "SPRING-25".into(),
            percent_off: Some(25),
            amount_off: None,
            currency: None,
            duration: CouponDuration::Repeating,
            duration_in_months: Some(3),
            redeem_by: None,
            max_redemptions: None,
            plan_ids: vec![],
        }
    }

    #[test]
    fn a_coupon_takes_either_a_percentage_or_an_amount_with_its_currency() {
        assert!(coupon().validate().is_ok());
        let both = CreateCoupon {
            amount_off: Some(500),
            ..coupon()
        };
        assert!(both.validate().is_err());
        let amount_alone = CreateCoupon {
            percent_off: None,
            amount_off: Some(500),
            ..coupon()
        };
        assert!(amount_alone.validate().is_err());
        let amount = CreateCoupon {
            currency: Some("EUR".into()),
            ..amount_alone
        };
        assert!(amount.validate().is_ok());
        let forever_for_months = CreateCoupon {
            duration: CouponDuration::Forever,
            ..coupon()
        };
        assert!(forever_for_months.validate().is_err());
        let bad_code = CreateCoupon {
            code: "NO SPACES".into(),
            ..coupon()
        };
        assert!(bad_code.validate().is_err());
    }

    #[test]
    fn a_payment_method_is_an_id_never_card_details() {
        let pay = |pm: &str| {
            PaySubscription {
                payment_method: pm.into(),
            }
            .validate()
            .is_ok()
        };
        assert!(pay("pm_card_visa"));
        assert!(!pay("4242424242424242"));
        assert!(!pay("pm_"));
        assert!(!pay("pm_card visa"));
    }
}
