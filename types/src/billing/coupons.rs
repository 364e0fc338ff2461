//! Coupons and the discount a subscription has from one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use super::CouponDuration;
use crate::orders::{currency_schema, field_error};
use crate::rules;

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

pub(super) fn coupon_code(code: &str) -> Result<(), ValidationError> {
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

pub(super) fn coupon_terms(c: &CreateCoupon) -> Result<(), ValidationError> {
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
