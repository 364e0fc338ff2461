//! Wire types of the back office's public REST API.
//!
//! Shared by the api (which serves them) and the web SPA (which sends and reads them). No business
//! logic and no database here: serde for the wire, utoipa for the spec, validator for the rules a
//! browser can check before it sends.

pub mod accounts;
pub mod analytics;
pub mod apps;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod customers;
pub mod devices;
pub mod email;
pub mod mobile_users;
pub mod orders;
pub mod outbox;
pub mod page;
pub mod problem;
pub mod publishing;
pub mod push;
pub mod query;
pub mod quotes;
pub mod rules;
pub mod sdk;
pub mod tokens;
pub mod webhooks;
pub mod when;

pub use page::{Page, PageQuery};
pub use problem::{ErrorCode, FieldError, Problem};

/// A closed set of snake_case strings on the wire: the enum, `as_str`, `FromStr` and `ALL`.
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* pub enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $text:tt,)+
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant,)+
        }

        impl $name {
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok(Self::$variant),)+
                    other => Err(format!("unknown {} {other}", stringify!($name))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// For `PATCH` fields where absent means "leave as is" and `null` means "clear":
/// `Option<Option<T>>` with this as `deserialize_with` (plus `default`).
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    serde::Deserialize::deserialize(deserializer).map(Some)
}

/// Reads an optional whole number that JSON may spell `14` or `14.0` (both are JSON Schema
/// integers); anything with a fraction is refused.
pub fn whole_number<'de, D>(deserializer: D) -> Result<Option<u32>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::de::Error;
    let Some(n) = <Option<f64> as serde::Deserialize>::deserialize(deserializer)? else {
        return Ok(None);
    };
    if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // checked just above
        Ok(Some(n as u32))
    } else {
        Err(D::Error::custom(format!(
            "expected a whole number, found {n}"
        )))
    }
}

/// Reads a nested struct only from a JSON object: serde would also take an array of its fields
/// in order (`[null, null]`), which the schema does not allow.
pub fn object<'de, T, D>(deserializer: D) -> Result<T, D::Error>
where
    T: serde::de::DeserializeOwned,
    D: serde::Deserializer<'de>,
{
    use serde::de::Error;
    let map: serde_json::Map<String, serde_json::Value> =
        serde::Deserialize::deserialize(deserializer)?;
    T::deserialize(serde_json::Value::Object(map)).map_err(D::Error::custom)
}

/// [`object`] for an optional field (absent or `null`: `None`).
pub fn optional_object<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: serde::de::DeserializeOwned,
    D: serde::Deserializer<'de>,
{
    use serde::de::Error;
    let map: Option<serde_json::Map<String, serde_json::Value>> =
        serde::Deserialize::deserialize(deserializer)?;
    match map {
        None => Ok(None),
        Some(map) => T::deserialize(serde_json::Value::Object(map))
            .map(Some)
            .map_err(D::Error::custom),
    }
}
