//! An app's push settings: provider credentials, quiet hours, order status pushes.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use super::target::time_of_day;
use super::ApnsEnvironment;
use crate::rules;

/// Quiet hours: deliveries that would land between `start` and `end` in the device's own time
/// zone wait until `end` (may span midnight: 22:00 to 08:00).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
pub struct QuietHours {
    #[validate(custom(function = "time_of_day"))]
    #[schema(example = "22:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub start: String,
    #[validate(custom(function = "time_of_day"))]
    #[schema(example = "08:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub end: String,
}

/// A push to the ordering device when an order changes status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
pub struct OrderStatusPush {
    pub enabled: bool,
    /// The message's text: `<ORDER_NUMBER>` and `<STATUS>` are filled in.
    #[validate(length(min = 1, max = 500), custom(function = "rules::not_blank"))]
    #[schema(
        min_length = 1,
        max_length = 500,
        example = "Your order <ORDER_NUMBER> is now <STATUS>."
    )]
    pub template: String,
}

/// The text of order status pushes when the owner wrote none.
pub const DEFAULT_ORDER_TEMPLATE: &str = "Your order <ORDER_NUMBER> is now <STATUS>.";

/// What is shown of an app's Firebase service account (the key itself is never returned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FcmInfo {
    #[schema(example = "my-shop-1a2b3")]
    pub project_id: String,
    #[schema(example = "firebase-adminsdk@my-shop-1a2b3.iam.gserviceaccount.com")]
    pub client_email: String,
    /// The key's id (`private_key_id`).
    pub key_id: String,
}

/// What is shown of an app's APNs key (the key itself is never returned).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ApnsInfo {
    #[schema(example = "ABC123DEFG")]
    pub key_id: String,
    #[schema(example = "DEF123GHIJ")]
    pub team_id: String,
    /// The app's bundle id.
    #[schema(example = "com.example.shop")]
    pub topic: String,
    pub environment: ApnsEnvironment,
}

/// An app's push settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PushSettings {
    /// Android devices are sent through Firebase when set.
    pub fcm: Option<FcmInfo>,
    /// iOS devices are sent through APNs when set.
    pub apns: Option<ApnsInfo>,
    pub quiet_hours: Option<QuietHours>,
    /// At most this many pushes per device in 24 hours (checked when a message starts).
    pub daily_cap: Option<i32>,
    pub order_status: OrderStatusPush,
    /// `live` (apps with credentials deliver through FCM and APNs) or `log` (this installation
    /// only records what would be sent).
    #[schema(example = "live")]
    pub gateway: String,
    pub updated_at: Option<DateTime<Utc>>,
}

/// An APNs signing key (a `.p8` file from the Apple developer account).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct ApnsCredentials {
    #[validate(length(equal = 10), custom(function = "apple_id"))]
    #[schema(min_length = 10, max_length = 10, example = "ABC123DEFG")]
    pub key_id: String,
    #[validate(length(equal = 10), custom(function = "apple_id"))]
    #[schema(min_length = 10, max_length = 10, example = "DEF123GHIJ")]
    pub team_id: String,
    #[validate(length(max = 155), custom(function = "rules::app_identifier"))]
    #[schema(max_length = 155, example = "com.example.shop")]
    pub topic: String,
    pub environment: ApnsEnvironment,
    /// The `.p8` file's text (`-----BEGIN PRIVATE KEY-----…`).
    #[validate(length(min = 1, max = 10000))]
    #[schema(min_length = 1, max_length = 10000)]
    pub private_key: String,
}

pub(super) fn apple_id(id: &str) -> Result<(), ValidationError> {
    if id
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    {
        Ok(())
    } else {
        Err(ValidationError::new("apple_id")
            .with_message("must be 10 capital letters or digits".into()))
    }
}

/// The app's push settings, replaced as a whole; the credentials are kept when absent, removed
/// when `null`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct UpdatePushSettings {
    /// A Firebase service account's JSON key file, as text.
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 10000))]
    #[schema(value_type = Option<String>, min_length = 1, max_length = 10000)]
    pub fcm_service_account: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(nested)]
    #[schema(value_type = Option<ApnsCredentials>)]
    pub apns: Option<Option<ApnsCredentials>>,
    #[validate(nested)]
    pub quiet_hours: Option<QuietHours>,
    #[validate(range(min = 1, max = 100))]
    #[schema(minimum = 1, maximum = 100, example = 3)]
    pub daily_cap: Option<i32>,
    #[validate(nested)]
    pub order_status: Option<OrderStatusPush>,
}
