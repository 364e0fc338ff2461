//! Whom a message goes to, and the checks of what a message carries (versions, locales, data,
//! links, images).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use crate::devices::Platform;
use crate::rules;

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
pub(super) struct TargetFields {
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

pub(super) struct TargetObject(PushTarget);

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

pub(super) fn valid_version(v: &str) -> Result<(), ValidationError> {
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

pub(super) fn valid_locales(list: &[String]) -> Result<(), ValidationError> {
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
pub(super) const RESERVED_KEYS: &[&str] = &[
    "message_id",
    "deep_link",
    "from",
    "notification",
    "message_type",
];

pub(super) fn valid_data(map: &BTreeMap<String, String>) -> Result<(), ValidationError> {
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
pub(super) fn valid_deep_link(link: &str) -> Result<(), ValidationError> {
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
pub(super) fn valid_image_url(url: &str) -> Result<(), ValidationError> {
    rules::web_url(url)?;
    if url.starts_with("https://") {
        Ok(())
    } else {
        Err(ValidationError::new("https").with_message("must be an https:// address".into()))
    }
}
