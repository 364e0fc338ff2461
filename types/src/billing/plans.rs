//! Plans: the price list customers subscribe their apps to.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::BillingInterval;
use crate::apps::AppEdition;
use crate::orders::currency_schema;
use crate::rules;

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
