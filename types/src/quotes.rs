//! "Manage Quote requests": a mobile user asks the app's owner for pricing (Standard apps only);
//! the owner answers with an offer, which the app accepts or declines. Money is in integer minor
//! units of the offer's `currency`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::orders::currency_schema;
use crate::rules;

crate::string_enum! {
    /// Where a quote request stands. `new` → `quoted` (the owner answered; answering again
    /// replaces the offer) → `accepted` / `declined` / `expired` (its offer's `valid_until`
    /// passed); `new` → `declined`.
    pub enum QuoteStatus {
        New = "new",
        Quoted = "quoted",
        Accepted = "accepted",
        Declined = "declined",
        Expired = "expired",
    }
}

impl QuoteStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::New => "New",
            Self::Quoted => "Quoted",
            Self::Accepted => "Accepted",
            Self::Declined => "Declined",
            Self::Expired => "Expired",
        }
    }
}

/// A product the mobile user asks about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
pub struct QuoteLine {
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"\S",
        example = "SOFA-3S-GREY"
    )]
    pub sku: String,
    #[validate(length(min = 1, max = 200), custom(function = "rules::not_blank"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"\S",
        example = "Three-seat sofa, grey"
    )]
    pub name: String,
    #[validate(range(min = 1, max = 100_000))]
    #[schema(minimum = 1, maximum = 100_000, example = 2)]
    pub quantity: i64,
}

/// A quote request the app sends (`POST /sdk/quote-requests`). Each sku at most once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
#[validate(schema(function = "distinct_skus", skip_on_field_errors = true))]
pub struct CreateQuoteRequest {
    #[validate(length(min = 1, max = 100), nested)]
    #[schema(min_items = 1, max_items = 100)]
    pub lines: Vec<QuoteLine>,
    /// What the mobile user wants to know.
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub message: Option<String>,
    #[validate(length(min = 1, max = 200), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub contact_name: String,
    #[validate(length(max = 254), custom(function = "rules::email_address"))]
    #[schema(format = Email, max_length = 254)]
    pub contact_email: String,
    #[validate(custom(function = "rules::phone_number"))]
    #[schema(pattern = "^[ +().-]*([0-9][ +().-]*){6,20}$")]
    pub contact_phone: Option<String>,
    /// The mobile user, when signed in to the app, by its id in the back office.
    #[validate(custom(function = "rules::numeric_id"))]
    #[schema(pattern = "^[1-9][0-9]{0,17}$")]
    pub mobile_user_id: Option<String>,
    /// The mobile user, when signed in to the app, by the handle `POST /sdk/mobile-users` answered
    /// (instead of `mobile_user_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::mobile_user_ref"))]
    #[schema(
        pattern = "^mu_[A-Za-z0-9_-]{1,60}$",
        example = "mu_Kp3x9QmT0aVbN2cYdE4fGw"
    )]
    pub mobile_user_ref: Option<String>,
}

fn distinct_skus(request: &CreateQuoteRequest) -> Result<(), ValidationError> {
    let mut skus: Vec<&str> = request.lines.iter().map(|l| l.sku.as_str()).collect();
    skus.sort_unstable();
    if skus.windows(2).any(|w| w[0] == w[1]) {
        let mut e = ValidationError::new("duplicate")
            .with_message("must name each sku once (use its quantity)".into());
        e.add_param("field".into(), &"lines");
        return Err(e);
    }
    Ok(())
}

/// The price of one requested line in an offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
pub struct QuotedPrice {
    /// A sku of the request.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub sku: String,
    /// Price of one unit, in minor units.
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64, example = 89900)]
    pub unit_price: i64,
}

/// The owner's offer (`POST /apps/{id}/quote-requests/{quote_id}/responses`): a price for every
/// requested line, or a `total` for the whole request (or both, when they agree), and how long
/// it holds.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct CreateQuoteResponse {
    #[validate(custom(function = "rules::currency_code"))]
    #[schema(schema_with = currency_schema)]
    pub currency: String,
    /// One price per requested sku.
    #[validate(length(max = 100), nested)]
    #[schema(max_items = 100)]
    pub lines: Option<Vec<QuotedPrice>>,
    /// The price of the whole request, in minor units; when `lines` are given too, it must be
    /// their sum.
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub total: Option<i64>,
    #[validate(length(max = 4000))]
    #[schema(max_length = 4000)]
    pub message: Option<String>,
    /// Until when the offer holds; in the future. A date (`2026-12-10`) means the end of that
    /// day, 23:59:59 UTC.
    #[serde(deserialize_with = "crate::when::date_time_or_end_of_day")]
    #[schema(schema_with = valid_until_schema)]
    pub valid_until: DateTime<Utc>,
}

fn valid_until_schema() -> utoipa::openapi::schema::Schema {
    crate::when::date_time_or_date_schema("Until when the offer holds; in the future.")
}

/// One offer the owner made.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QuoteResponse {
    pub id: String,
    #[schema(schema_with = currency_schema)]
    pub currency: String,
    /// The price per line, when the offer priced each one (empty for a total-only offer).
    pub lines: Vec<QuotedPrice>,
    pub total: i64,
    pub message: Option<String>,
    pub valid_until: DateTime<Utc>,
    /// The account that answered (absent when the app reads it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responded_by: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A quote request, with its current offer (the latest response) when it has one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QuoteRequest {
    #[schema(example = "7001")]
    pub id: String,
    pub app_id: String,
    pub status: QuoteStatus,
    pub lines: Vec<QuoteLine>,
    pub message: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub mobile_user_id: Option<String>,
    /// The offer in force: the latest response.
    pub offer: Option<QuoteResponse>,
    /// The order that took it up, once ordered.
    pub order_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Every response, oldest first (on one request; absent in lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responses: Option<Vec<QuoteResponse>>,
    /// SDK answers only: the key the sending device keeps and shows in `X-Quote-Key` to read,
    /// accept or decline this request (and to order it with `quote_id`). Without it another
    /// device of the app gets 404.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_key: Option<String>,
}

/// How many quote requests of the app are in each status.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct QuoteCounts {
    pub new: i64,
    pub quoted: i64,
    pub accepted: i64,
    pub declined: i64,
    pub expired: i64,
}

/// Filters of the quote requests inbox.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct QuoteFilter {
    #[param(inline)]
    pub status: Option<QuoteStatus>,
    /// Case-insensitive search in the contact's name and email, the message and the skus.
    #[validate(length(max = 200))]
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Received at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Received before this time.
    pub to: Option<DateTime<Utc>>,
}
