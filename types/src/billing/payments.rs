//! Invoices and the charges made for them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::{InvoiceStatus, PaymentStatus};
use crate::orders::currency_schema;
use crate::rules;

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
