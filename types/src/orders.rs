//! "Manage Orders: view and trace your customer's mobile purchases" (Standard apps only). The app
//! reports each order through `POST /sdk/orders`; the owner moves it along its statuses. Money is
//! in integer minor units of the order's `currency`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::rules;

/// The most lines one order may have.
pub const MAX_LINES: usize = 200;
/// The largest amount an order may state, in minor units (10¹² cents is ten billion euros).
pub const MAX_AMOUNT: i64 = 1_000_000_000_000;

crate::string_enum! {
    /// Where an order stands. `pending` → `processing` → `shipped` → `completed`;
    /// `pending` / `processing` → `canceled`; `completed` → `refunded` (again, while some of the
    /// total is left to refund).
    pub enum OrderStatus {
        Pending = "pending",
        Processing = "processing",
        Shipped = "shipped",
        Completed = "completed",
        Canceled = "canceled",
        Refunded = "refunded",
    }
}

impl OrderStatus {
    /// The statuses an order in this one may move to (refunds aside: see [`OrderStatus`]).
    pub fn next(self) -> &'static [OrderStatus] {
        use OrderStatus::*;
        match self {
            Pending => &[Processing, Canceled],
            Processing => &[Shipped, Canceled],
            Shipped => &[Completed],
            Completed | Refunded => &[Refunded],
            Canceled => &[],
        }
    }

    /// How the back office names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Pending => "Pending",
            Self::Processing => "Processing",
            Self::Shipped => "Shipped",
            Self::Completed => "Completed",
            Self::Canceled => "Canceled",
            Self::Refunded => "Refunded",
        }
    }
}

/// One line of an order as the app sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
pub struct NewOrderLine {
    /// The product's stock-keeping unit.
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"\S",
        example = "TEE-RED-M"
    )]
    pub sku: String,
    #[validate(length(min = 1, max = 200), custom(function = "rules::not_blank"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = r"\S",
        example = "T-shirt, red, M"
    )]
    pub name: String,
    #[validate(range(min = 1, max = 100_000))]
    #[schema(minimum = 1, maximum = 100_000, example = 2)]
    pub quantity: i64,
    /// Price of one unit, in minor units.
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64, example = 1999)]
    pub unit_price: i64,
}

/// An order the app reports (`POST /sdk/orders`). `total` must equal the lines (quantity ×
/// unit price) plus `shipping` plus `tax` minus `discount`. The buyer is the app's mobile user
/// (`mobile_user_id`) or a guest (`guest_email` and `guest_name`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
#[validate(schema(function = "order_adds_up", skip_on_field_errors = true))]
pub struct CreateOrder {
    /// The shop's order number, unique within the app: sending the same order again is safe.
    #[validate(length(min = 1, max = 64), custom(function = "rules::not_blank"))]
    #[schema(
        min_length = 1,
        max_length = 64,
        pattern = r"\S",
        example = "100000123"
    )]
    pub order_number: String,
    /// When the buyer placed it.
    pub placed_at: DateTime<Utc>,
    #[validate(custom(function = "rules::currency_code"))]
    #[schema(schema_with = currency_schema)]
    pub currency: String,
    #[validate(length(min = 1, max = 200), nested)]
    #[schema(min_items = 1, max_items = 200)]
    pub lines: Vec<NewOrderLine>,
    #[serde(default)]
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64, default = 0)]
    pub shipping: i64,
    #[serde(default)]
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64, default = 0)]
    pub tax: i64,
    #[serde(default)]
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64, default = 0)]
    pub discount: i64,
    /// Lines + shipping + tax − discount.
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 1_000_000_000_000_i64, example = 4498)]
    pub total: i64,
    /// The buyer, when signed in to the app (stand-alone apps), by its id in the back office.
    #[validate(custom(function = "rules::numeric_id"))]
    #[schema(pattern = "^[1-9][0-9]{0,17}$")]
    pub mobile_user_id: Option<String>,
    /// The buyer, when signed in to the app, by the handle `POST /sdk/mobile-users` answered
    /// (instead of `mobile_user_id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "rules::mobile_user_ref"))]
    #[schema(
        pattern = "^mu_[A-Za-z0-9_-]{1,60}$",
        example = "mu_Kp3x9QmT0aVbN2cYdE4fGw"
    )]
    pub mobile_user_ref: Option<String>,
    /// The buyer's email, for a guest checkout.
    #[validate(length(max = 254), custom(function = "rules::email_address"))]
    #[schema(format = Email, max_length = 254)]
    pub guest_email: Option<String>,
    /// The buyer's name, for a guest checkout.
    #[validate(length(min = 1, max = 200), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub guest_name: Option<String>,
    /// The SDK's installation id of the device it was placed on.
    #[validate(length(min = 8, max = 100))]
    #[schema(min_length = 8, max_length = 100)]
    pub installation_id: Option<String>,
    /// The accepted quote request this order takes up: its lines and prices must be the offer's.
    #[validate(custom(function = "rules::numeric_id"))]
    #[schema(pattern = "^[1-9][0-9]{0,17}$")]
    pub quote_id: Option<String>,
}

pub fn currency_schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    utoipa::openapi::Ref::from_schema_name("Currency").into()
}

/// The sum of the lines, or `None` when it overflows.
pub fn lines_subtotal<'a>(lines: impl IntoIterator<Item = (i64, i64)> + 'a) -> Option<i64> {
    lines.into_iter().try_fold(0_i64, |sum, (quantity, price)| {
        sum.checked_add(quantity.checked_mul(price)?)
    })
}

fn order_adds_up(order: &CreateOrder) -> Result<(), ValidationError> {
    let expected = lines_subtotal(order.lines.iter().map(|l| (l.quantity, l.unit_price)))
        .and_then(|s| s.checked_add(order.shipping))
        .and_then(|s| s.checked_add(order.tax))
        .map(|s| s - order.discount);
    match expected {
        Some(expected) if expected == order.total => {}
        Some(expected) => {
            return Err(field_error(
                "total",
                format!("must equal the lines plus shipping plus tax minus discount ({expected})"),
            ))
        }
        None => {
            return Err(field_error(
                "lines",
                "add up to more than can be stored".into(),
            ))
        }
    }
    if order.mobile_user_id.is_some() && order.mobile_user_ref.is_some() {
        return Err(field_error(
            "mobile_user_ref",
            "must be absent when mobile_user_id names the buyer".into(),
        ));
    }
    let user = order
        .mobile_user_id
        .as_ref()
        .or(order.mobile_user_ref.as_ref());
    match (user, &order.guest_email, &order.guest_name) {
        (Some(_), None, None) | (None, Some(_), Some(_)) => Ok(()),
        (Some(_), _, _) => Err(field_error(
            "guest_email",
            "must be absent when the buyer is a mobile user".into(),
        )),
        (None, None, _) => Err(field_error(
            "mobile_user_id",
            "is required (or mobile_user_ref) unless the buyer is a guest (guest_email and guest_name)".into(),
        )),
        (None, Some(_), None) => Err(field_error("guest_name", "is required for a guest".into())),
    }
}

/// A rule on several fields, reported on the one that `field` names.
pub(crate) fn field_error(field: &'static str, message: String) -> ValidationError {
    let mut e = ValidationError::new("invalid").with_message(message.into());
    e.add_param("field".into(), &field);
    e
}

/// One line of a stored order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderLine {
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price: i64,
    /// quantity × unit price.
    pub line_total: i64,
}

/// Who bought: the app's mobile user, or a guest.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Buyer {
    /// The mobile user, when the buyer was signed in.
    pub mobile_user_id: Option<String>,
    /// The buyer's email as it was when the order was placed.
    pub email: Option<String>,
    pub name: Option<String>,
    /// Whether the buyer checked out as a guest.
    pub guest: bool,
}

/// An order. One order (its detail, the SDK's answer) has its `lines`, `device` and `history`;
/// lists leave them out.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Order {
    #[schema(example = "5001")]
    pub id: String,
    pub app_id: String,
    pub order_number: String,
    pub status: OrderStatus,
    #[schema(schema_with = currency_schema)]
    pub currency: String,
    pub placed_at: DateTime<Utc>,
    /// The lines' total.
    pub subtotal: i64,
    pub shipping: i64,
    pub tax: i64,
    pub discount: i64,
    pub total: i64,
    /// What has been refunded so far.
    pub refunded_amount: i64,
    /// How many lines it has.
    pub line_count: i64,
    pub buyer: Buyer,
    /// The installation it was placed on, as the app sent it.
    pub installation_id: Option<String>,
    /// The registered device with that installation id, when there is one.
    pub device_id: Option<String>,
    /// The quote request it takes up.
    pub quote_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The lines (on one order: its detail and the SDK's answer; absent in lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<OrderLine>>,
    /// The registered device it was placed on, when known (on one order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<OrderDevice>,
    /// The trace, oldest step first (on one order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<Vec<OrderHistoryEntry>>,
}

crate::string_enum! {
    /// Who made a change to an order.
    pub enum ActorKind {
        /// A back-office account.
        Account = "account",
        /// The mobile app, through the SDK API.
        App = "app",
    }
}

/// Who made a change: a back-office account (with its email at the time), or the mobile app.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Actor {
    #[serde(rename = "type")]
    pub kind: ActorKind,
    pub account_id: Option<String>,
    pub email: Option<String>,
    /// During "log in as": the partner or admin behind the account.
    pub impersonator_id: Option<String>,
}

/// One step of an order's trace.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderHistoryEntry {
    /// The status the order moved to (`pending` when the app reported it).
    pub status: OrderStatus,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    pub note: Option<String>,
    /// For a refund: the amount refunded by this step.
    pub refunded_amount: Option<i64>,
}

/// The device an order was placed on.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderDevice {
    pub id: String,
    pub platform: crate::devices::Platform,
    pub model: String,
    pub os_version: String,
    pub app_version: String,
}

/// A move of an order to another status (`PATCH /apps/{id}/orders/{order_id}`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct UpdateOrder {
    pub status: OrderStatus,
    /// Shown in the trace.
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
    /// For `refunded`: the amount refunded by this move, in minor units, at most what is left
    /// to refund. Default: all that is left.
    #[validate(range(min = 1, max = 1_000_000_000_000_i64))]
    #[schema(minimum = 1, maximum = 1_000_000_000_000_i64)]
    pub refunded_amount: Option<i64>,
}

/// Filters of the orders list and its CSV export.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct OrderFilter {
    #[param(inline)]
    pub status: Option<OrderStatus>,
    /// Case-insensitive search in the order number and the buyer's email and name.
    #[validate(length(max = 200))]
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Placed at or after this time.
    pub placed_from: Option<DateTime<Utc>>,
    /// Placed before this time.
    pub placed_to: Option<DateTime<Utc>>,
    /// Total at least this, in minor units.
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    #[param(minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub total_min: Option<i64>,
    /// Total at most this, in minor units.
    #[validate(range(min = 0, max = 1_000_000_000_000_i64))]
    #[param(minimum = 0, maximum = 1_000_000_000_000_i64)]
    pub total_max: Option<i64>,
}

#[cfg(test)]
mod tests;
