//! A message as composed and as reported: its figures, its create and update bodies, previews and
//! test sends.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::target::{time_of_day, valid_data, valid_deep_link, valid_image_url, PushTarget};
use super::{PushKind, PushStatus};
use crate::rules;

/// What became of a message's deliveries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PushStats {
    /// Devices the message was made for.
    pub targeted: i64,
    /// Accepted by the provider (or recorded by the log gateway).
    pub sent: i64,
    /// Refused by the provider, past every retry, or held back by the daily cap.
    pub failed: i64,
    /// Devices that opened it (the SDK's `push_open` events carrying its id).
    pub opened: i64,
    /// Opened per sent, 0 to 1.
    pub open_rate: f64,
}

/// How many deliveries failed for one reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PushFailure {
    /// `unregistered` (the token is dead), `bad_token`, `daily_cap`, `rate_limited` or
    /// `provider_error` (retries exhausted), `rejected` (another 4xx), `not_configured`.
    #[schema(example = "unregistered")]
    pub reason: String,
    pub count: i64,
}

/// Deliveries and opens in one hour.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PushPoint {
    /// The hour's start.
    pub at: DateTime<Utc>,
    pub sent: i64,
    pub opened: i64,
}

/// A push message of one app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PushMessage {
    #[schema(example = "12")]
    pub id: String,
    #[schema(example = "3")]
    pub app_id: String,
    pub kind: PushKind,
    #[schema(example = "Spring sale")]
    pub title: String,
    #[schema(example = "Everything 20 % off until Sunday.")]
    pub body: String,
    pub deep_link: Option<String>,
    pub image_url: Option<String>,
    pub data: Option<BTreeMap<String, String>>,
    /// `null`: every device with push on.
    pub target: Option<PushTarget>,
    pub status: PushStatus,
    /// When it goes (or went) out.
    pub send_at: Option<DateTime<Utc>>,
    /// Delivered at this time of day (`HH:MM`) in each device's own time zone.
    pub local_time: Option<String>,
    pub stats: PushStats,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Failed deliveries by reason (one message only, not in lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failures: Option<Vec<PushFailure>>,
    /// Sent and opened per hour (one message only, not in lists).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<PushPoint>>,
}

/// A new message. Without `send_at` and `local_time` it is a draft (send it with
/// `POST …/{msg_id}/send`); with `send_at` it is scheduled for then; with `local_time` it goes
/// out at that time of day in each device's own zone (from `send_at`, or from now, within the
/// next 24 hours of each device).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct CreatePushMessage {
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 100, example = "Spring sale")]
    pub title: String,
    #[validate(length(min = 1, max = 1000), custom(function = "rules::not_blank"))]
    #[schema(
        min_length = 1,
        max_length = 1000,
        example = "Everything 20 % off until Sunday."
    )]
    pub body: String,
    /// Opened in the app when the message is tapped.
    #[validate(length(max = 1000), custom(function = "valid_deep_link"))]
    #[schema(max_length = 1000, example = "myshop://sale/spring")]
    pub deep_link: Option<String>,
    #[validate(length(max = 1000), custom(function = "valid_image_url"))]
    #[schema(max_length = 1000, example = "https://cdn.example.com/spring.jpg")]
    pub image_url: Option<String>,
    /// Key/values the app receives with the message (up to 20).
    #[validate(custom(function = "valid_data"))]
    pub data: Option<BTreeMap<String, String>>,
    #[validate(nested)]
    pub target: Option<PushTarget>,
    pub send_at: Option<DateTime<Utc>>,
    #[validate(custom(function = "time_of_day"))]
    #[schema(example = "10:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub local_time: Option<String>,
}

/// Changes to a draft or scheduled message; absent fields stay. Setting `send_at` or
/// `local_time` schedules a draft; clearing both makes a scheduled message a draft again.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct UpdatePushMessage {
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub title: Option<String>,
    #[validate(length(min = 1, max = 1000), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 1000)]
    pub body: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(max = 1000), custom(function = "valid_deep_link"))]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub deep_link: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(max = 1000), custom(function = "valid_image_url"))]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub image_url: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(custom(function = "valid_data"))]
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    pub data: Option<Option<BTreeMap<String, String>>>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(nested)]
    #[schema(value_type = Option<PushTarget>)]
    pub target: Option<Option<PushTarget>>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub send_at: Option<Option<DateTime<Utc>>>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(custom(function = "time_of_day"))]
    #[schema(value_type = Option<String>, pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub local_time: Option<Option<String>>,
}

/// The same message for several apps at once: each app gets its own message and report.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct CreatePushMessages {
    /// Apps of yours (up to 50).
    #[validate(length(min = 1, max = 50))]
    #[schema(min_items = 1, max_items = 50, example = json!(["3", "4"]))]
    pub app_ids: Vec<String>,
    #[validate(nested)]
    pub message: CreatePushMessage,
}

/// The messages made for each app, in the order of `app_ids`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushMessages {
    pub items: Vec<PushMessage>,
}

/// Whom a message would reach.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct PushPreview {
    #[validate(nested)]
    pub target: Option<PushTarget>,
}

/// How many devices a target reaches now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PushPreviewCount {
    pub targeted: i64,
}

/// Sends a message to one device now, whatever its state and target (not counted in its
/// figures).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct TestPush {
    /// The device's installation id (the app's devices list shows it).
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "5d1f0c5e-9d62-4a43-9d3c-0a4c1f2d7e11")]
    pub installation_id: String,
}

/// What the provider said to a test send.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TestPushResult {
    pub delivered: bool,
    /// `fcm`, `apns` or `log` (recorded only: no credentials for this platform, or
    /// `PUSH_GATEWAY=log`).
    #[schema(example = "fcm")]
    pub gateway: String,
    /// Why it failed (as in a report's failures).
    pub reason: Option<String>,
    pub error: Option<String>,
}

/// Filters of a message list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct PushFilter {
    pub status: Option<PushStatus>,
    /// Default `campaign`.
    pub kind: Option<PushKind>,
}
