//! An app's subscription: what it charges next, and how it is started, changed, paid and ended.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use super::coupons::Discount;
use super::payments::{InvoiceSummary, Payment};
use super::plans::Plan;
use super::SubscriptionStatus;
use crate::orders::currency_schema;
use crate::rules;

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

pub(super) fn payment_method_id(id: &str) -> Result<(), ValidationError> {
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
