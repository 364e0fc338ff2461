//! The devices an app is installed on, as the SDK reports them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

crate::string_enum! {
    /// A mobile operating system.
    pub enum Platform {
        Ios = "ios",
        Android = "android",
    }
}

/// A device with the app installed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Device {
    pub id: String,
    /// The SDK's id of this installation (a new one after a reinstall).
    pub installation_id: String,
    pub platform: Platform,
    #[schema(example = "iPhone15,2")]
    pub model: String,
    #[schema(example = "17.4")]
    pub os_version: String,
    #[schema(example = "2.3.0")]
    pub app_version: String,
    #[schema(example = "nl-NL")]
    pub locale: Option<String>,
    #[schema(example = "Europe/Amsterdam")]
    pub timezone: Option<String>,
    /// Whether the app may show push messages (the user allowed them and there is a push token).
    pub push_enabled: bool,
    /// When the app was installed (first seen).
    pub first_seen_at: DateTime<Utc>,
    /// The device's latest report.
    pub last_seen_at: DateTime<Utc>,
}

/// Filters of the devices list and summary.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct DeviceFilter {
    #[param(inline)]
    pub platform: Option<Platform>,
    /// Exactly this OS version.
    #[validate(length(max = 50))]
    #[param(max_length = 50)]
    pub os_version: Option<String>,
    /// Exactly this model.
    #[validate(length(max = 100))]
    #[param(max_length = 100)]
    pub model: Option<String>,
    /// Exactly this app version.
    #[validate(length(max = 50))]
    #[param(max_length = 50)]
    pub app_version: Option<String>,
    pub push_enabled: Option<bool>,
    /// Last seen on or after this day (UTC).
    pub last_seen_from: Option<NaiveDate>,
    /// Last seen on or before this day (UTC).
    pub last_seen_to: Option<NaiveDate>,
}

/// How many devices share one value (one platform, model, OS version or app version).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Share {
    #[schema(example = "17.4")]
    pub value: String,
    /// For OS versions: the platform they belong to (`17.4` of iOS is not `17.4` of Android).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    pub count: i64,
    /// `count` over all devices matching the filters, from 0 to 1.
    #[schema(example = 0.25)]
    pub share: f64,
}

/// "Which device types are preferable": the devices matching the filters, broken down. Each list
/// holds the ten most common values, most common first; a last row `(other)` sums up the rest.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeviceSummary {
    pub total: i64,
    pub push_enabled: i64,
    pub by_platform: Vec<Share>,
    pub by_model: Vec<Share>,
    pub by_os_version: Vec<Share>,
    pub by_app_version: Vec<Share>,
}
