//! Push messages: what an app owner composes, whom it targets, when it goes out, and what became
//! of it; and each app's push settings (provider credentials, quiet hours, a daily cap).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::devices::Platform;
use crate::rules;

crate::string_enum! {
    /// `draft` (not going anywhere yet) → `scheduled` (waiting for `send_at`) → `sending` →
    /// `sent` (every delivery done, at least one delivered, or nobody targeted) or `failed`
    /// (every delivery failed); `canceled` stops what was not sent yet.
    pub enum PushStatus {
        Draft = "draft",
        Scheduled = "scheduled",
        Sending = "sending",
        Sent = "sent",
        Failed = "failed",
        Canceled = "canceled",
    }
}

impl PushStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Scheduled => "Scheduled",
            Self::Sending => "Sending",
            Self::Sent => "Sent",
            Self::Failed => "Failed",
            Self::Canceled => "Canceled",
        }
    }

    /// Whether the message may still be edited (and sent or scheduled).
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Scheduled)
    }
}

crate::string_enum! {
    /// `campaign`: composed in the back office; `order_status`: sent to the ordering device when
    /// an order changes status (see the app's push settings).
    pub enum PushKind {
        Campaign = "campaign",
        OrderStatus = "order_status",
    }
}

crate::string_enum! {
    /// Which APNs environment an app's key sends to: `production` (App Store and TestFlight
    /// builds) or `sandbox` (development builds).
    pub enum ApnsEnvironment {
        Production = "production",
        Sandbox = "sandbox",
    }
}

/// Whom a message goes to: every device of the app with push on and a live push token, narrowed
/// by each rule given (all of them must hold).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, Validate)]
#[serde(from = "TargetObject")]
pub struct PushTarget {
    /// Only these platforms.
    #[validate(length(min = 1, max = 2))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platforms: Option<Vec<Platform>>,
    /// Only app versions from this one up (compared number by number: `2.10` is after `2.9`).
    #[validate(custom(function = "valid_version"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "2.0", pattern = "^[0-9]+(\\.[0-9]+){0,3}$")]
    pub app_version_min: Option<String>,
    /// Only app versions up to this one.
    #[validate(custom(function = "valid_version"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "3.5", pattern = "^[0-9]+(\\.[0-9]+){0,3}$")]
    pub app_version_max: Option<String>,
    /// Only these locales: a language (`fr`) matches every region of it (`fr-FR`, `fr_CA`).
    #[validate(length(min = 1, max = 50), custom(function = "valid_locales"))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = json!(["fr", "nl-NL"]))]
    pub locales: Option<Vec<String>>,
    /// Only devices seen in the last N days.
    #[validate(range(min = 1, max = 3650))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 3650, example = 30)]
    pub last_seen_within_days: Option<i32>,
}

/// A target as JSON sends it: an object only. serde would take a struct from an array too, and
/// every rule being optional, `[]` would pass for "everyone".
#[derive(Deserialize)]
#[serde(remote = "PushTarget")]
struct TargetFields {
    #[serde(default)]
    platforms: Option<Vec<Platform>>,
    #[serde(default)]
    app_version_min: Option<String>,
    #[serde(default)]
    app_version_max: Option<String>,
    #[serde(default)]
    locales: Option<Vec<String>>,
    #[serde(default)]
    last_seen_within_days: Option<i32>,
}

struct TargetObject(PushTarget);

impl From<TargetObject> for PushTarget {
    fn from(object: TargetObject) -> Self {
        object.0
    }
}

impl<'de> Deserialize<'de> for TargetObject {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Object;
        impl<'de> serde::de::Visitor<'de> for Object {
            type Value = PushTarget;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<PushTarget, A::Error> {
                TargetFields::deserialize(serde::de::value::MapAccessDeserializer::new(map))
            }
        }
        deserializer.deserialize_map(Object).map(TargetObject)
    }
}

fn valid_version(v: &str) -> Result<(), ValidationError> {
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() <= 4
        && parts
            .iter()
            .all(|p| (1..=9).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()))
    {
        Ok(())
    } else {
        Err(ValidationError::new("version")
            .with_message("must be numbers separated by dots, such as 2.10.1".into()))
    }
}

/// The numbers of a version (`2.10.1` → `[2, 10, 1]`); what is not a number counts as 0, so any
/// reported version compares.
pub fn version_key(v: &str) -> Vec<u64> {
    v.split(['.', '-', '+', ' '])
        .take(4)
        .map(|p| {
            p.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
                .parse()
                .unwrap_or(0)
        })
        .collect()
}

fn valid_locales(list: &[String]) -> Result<(), ValidationError> {
    let valid = list.iter().all(|l| {
        let mut parts = l.split(['-', '_']);
        let language = parts.next().unwrap_or("");
        (2..=3).contains(&language.len())
            && language.chars().all(|c| c.is_ascii_alphabetic())
            && parts
                .all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
    });
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new("locale")
            .with_message("must be locales such as fr or nl-NL".into()))
    }
}

/// Whether the device locale `device` is one `wanted` names (`fr` takes `fr-FR`).
pub fn locale_matches(wanted: &str, device: &str) -> bool {
    let norm = |s: &str| s.replace('_', "-").to_ascii_lowercase();
    let (wanted, device) = (norm(wanted), norm(device));
    device == wanted || device.starts_with(&format!("{wanted}-"))
}

/// A time of day, `HH:MM` (24-hour).
pub fn time_of_day(t: &str) -> Result<(), ValidationError> {
    match parse_time_of_day(t) {
        Some(_) => Ok(()),
        None => Err(ValidationError::new("time_of_day")
            .with_message("must be a time of day such as 09:30".into())),
    }
}

/// Minutes after midnight of an `HH:MM` time.
pub fn parse_time_of_day(t: &str) -> Option<i32> {
    let (h, m) = t.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    ((0..24).contains(&h) && (0..60).contains(&m)).then_some(h * 60 + m)
}

/// `HH:MM` of minutes after midnight.
pub fn format_time_of_day(minutes: i32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

/// Keys the providers keep for themselves, and the ones the back office sets.
const RESERVED_KEYS: &[&str] = &[
    "message_id",
    "deep_link",
    "from",
    "notification",
    "message_type",
];

fn valid_data(map: &BTreeMap<String, String>) -> Result<(), ValidationError> {
    if map.len() > 20 {
        return Err(ValidationError::new("data").with_message("takes at most 20 keys".into()));
    }
    for (key, value) in map {
        let key_ok = (1..=64).contains(&key.len())
            && key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
            && !RESERVED_KEYS.contains(&key.as_str())
            && !key.starts_with("google.")
            && !key.starts_with("gcm.");
        if !key_ok {
            return Err(ValidationError::new("data_key").with_message(
                format!("key {key:?} must be 1 to 64 letters, digits, _ - . and not reserved (message_id, deep_link, from, google.*, gcm.*)").into(),
            ));
        }
        if value.len() > 1000 {
            return Err(ValidationError::new("data_value")
                .with_message(format!("value of {key:?} is over 1000 characters").into()));
        }
    }
    Ok(())
}

/// A link the app opens: any `scheme:` address (`myshop://product/42`, `https://…`).
fn valid_deep_link(link: &str) -> Result<(), ValidationError> {
    let valid = link.split_once(':').is_some_and(|(scheme, rest)| {
        !rest.is_empty()
            && scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    }) && link.chars().all(|c| c.is_ascii_graphic());
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new("deep_link")
            .with_message("must be a link such as myshop://product/42".into()))
    }
}

/// An image shown with the message: an `https://` address (both providers fetch it over TLS).
fn valid_image_url(url: &str) -> Result<(), ValidationError> {
    rules::web_url(url)?;
    if url.starts_with("https://") {
        Ok(())
    } else {
        Err(ValidationError::new("https").with_message("must be an https:// address".into()))
    }
}

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

fn apple_id(id: &str) -> Result<(), ValidationError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_number_by_number() {
        assert!(version_key("2.10") > version_key("2.9"));
        assert!(version_key("2.0.1") > version_key("2.0"));
        assert_eq!(version_key("3.1-beta"), vec![3, 1, 0]);
        assert!(valid_version("2.10.1").is_ok());
        assert!(valid_version("2.x").is_err());
    }

    #[test]
    fn a_language_matches_its_regions() {
        assert!(locale_matches("fr", "fr-FR"));
        assert!(locale_matches("fr", "fr_CA"));
        assert!(locale_matches("nl-NL", "nl_nl"));
        assert!(!locale_matches("fr", "fry"));
        assert!(!locale_matches("fr-FR", "fr"));
    }

    #[test]
    fn a_target_is_an_object_only() {
        let target: PushTarget = serde_json::from_str(r#"{"platforms": ["ios"]}"#).expect("object");
        assert_eq!(target.platforms, Some(vec![Platform::Ios]));
        assert!(serde_json::from_str::<PushTarget>("[]").is_err());
        assert!(serde_json::from_str::<PushTarget>("[null, null]").is_err());
    }

    #[test]
    fn times_of_day_are_checked() {
        assert_eq!(parse_time_of_day("22:30"), Some(1350));
        assert_eq!(parse_time_of_day("24:00"), None);
        assert_eq!(parse_time_of_day("9:30"), None);
        assert_eq!(format_time_of_day(1350), "22:30");
    }
}
