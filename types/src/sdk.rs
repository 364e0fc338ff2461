//! What a mobile app sends to the SDK API (`/sdk/...`, authenticated by the app's `X-App-Key`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::devices::Platform;
use crate::rules;

/// The most events one `POST /sdk/events` may carry.
pub const MAX_EVENTS_PER_BATCH: usize = 500;

/// A device registering itself, or reporting what changed (same `installation_id`: an update).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct RegisterDevice {
    /// The SDK's id of this installation, created on first launch.
    #[validate(length(min = 8, max = 100), custom(function = "rules::not_blank"))]
    #[schema(
        min_length = 8,
        max_length = 100,
        pattern = r"\S",
        example = "6f1c9a2e-1b7d-4c55-9d0e-3f4a5b6c7d8e"
    )]
    pub installation_id: String,
    pub platform: Platform,
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S", example = "Pixel 8")]
    pub model: String,
    #[validate(length(min = 1, max = 50), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 50, pattern = r"\S", example = "14")]
    pub os_version: String,
    #[validate(length(min = 1, max = 50), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 50, pattern = r"\S", example = "2.3.0")]
    pub app_version: String,
    /// BCP 47 language tag.
    #[validate(length(max = 35))]
    #[schema(max_length = 35, example = "nl-NL")]
    pub locale: Option<String>,
    /// IANA time zone.
    #[validate(length(max = 64))]
    #[schema(max_length = 64, example = "Europe/Amsterdam")]
    pub timezone: Option<String>,
    /// The FCM / APNs token, when the app has one.
    #[validate(length(max = 4096))]
    #[schema(max_length = 4096)]
    pub push_token: Option<String>,
    /// Whether the user allows push messages.
    pub push_enabled: bool,
    /// When the app was installed, as the device knows it; at most 400 days ago and not in the
    /// future. Default: now. Only the first registration sets it.
    pub installed_at: Option<DateTime<Utc>>,
}

/// The device as stored.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeviceRegistered {
    pub device_id: String,
    /// `true` when this call registered the installation, `false` when it updated it.
    pub created: bool,
}

crate::string_enum! {
    /// What happened on a device.
    pub enum EventKind {
        /// The app came to the foreground.
        SessionStart = "session_start",
        /// The app went to the background; carries the session's `duration_secs`.
        SessionEnd = "session_end",
        /// The user opened a push message; carries its `message_id`.
        PushOpen = "push_open",
    }
}

/// One event of a batch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct SdkEvent {
    /// The event's own id, made by the app (a UUID is best): an event whose id this installation
    /// already reported is skipped, so a batch whose answer was lost can be sent again safely.
    /// Events without an id are always stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(custom(function = "crate::rules::event_id"))]
    #[schema(
        pattern = "^[A-Za-z0-9._:-]{8,64}$",
        example = "0b9e4c1a-7f3d-4e2b-8c6a-5d4e3f2a1b0c"
    )]
    pub id: Option<String>,
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// The registered installation it happened on.
    #[validate(length(min = 8, max = 100))]
    #[schema(min_length = 8, max_length = 100)]
    pub installation_id: String,
    /// When it happened: at most 400 days ago, and not more than 5 minutes ahead of the server.
    pub at: DateTime<Utc>,
    /// `session_end` only: the session's length, in seconds (at most a day).
    #[validate(range(min = 0, max = 86_400))]
    #[schema(minimum = 0, maximum = 86_400)]
    pub duration_secs: Option<i32>,
    /// `push_open` only: the push message opened.
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub message_id: Option<String>,
}

/// Up to 500 events, stored all together or not at all.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct EventBatch {
    #[validate(length(min = 1, max = 500), nested)]
    #[schema(min_items = 1, max_items = 500)]
    pub events: Vec<SdkEvent>,
}

/// What became of a batch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventsAccepted {
    /// Events stored by this call.
    pub accepted: usize,
    /// Events skipped because their `id` was already reported (by an earlier call or earlier in
    /// this batch).
    pub duplicates: usize,
}
