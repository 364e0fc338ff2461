//! Mobile apps, owned by a customer (or by a partner, for its own apps).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::rules;

crate::string_enum! {
    /// How the app gets its catalogue and its users.
    pub enum AppKind {
        /// Connected to a Magento store, which holds the products and the mobile users.
        Magento = "magento",
        /// Stand-alone: the back office manages its mobile users.
        Standalone = "standalone",
    }
}

crate::string_enum! {
    /// What the app's plan includes: `standard` adds orders and quote requests.
    pub enum AppEdition {
        Basic = "basic",
        Standard = "standard",
    }
}

crate::string_enum! {
    /// Sort orders of the apps list; `-` in front means descending.
    #[derive(Default)]
    pub enum AppSort {
        #[default]
        CreatedDesc = "-created_at",
        CreatedAsc = "created_at",
        NameAsc = "name",
        NameDesc = "-name",
    }
}

/// A mobile app.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct App {
    #[schema(example = "7")]
    pub id: String,
    #[schema(example = "Jane's Shoes")]
    pub name: String,
    pub kind: AppKind,
    pub edition: AppEdition,
    /// The customer (or partner) that owns the app.
    pub owner_id: String,
    /// The owner's email, for lists that show several owners' apps.
    pub owner_email: String,
    /// The web shop: the Magento store for `magento` apps (required for them).
    pub store_url: Option<String>,
    pub icon_url: Option<String>,
    /// The App Store bundle id, when the app is built for iOS.
    pub ios_bundle_id: Option<String>,
    /// The Google Play package name, when the app is built for Android.
    pub android_package_name: Option<String>,
    /// The public key the app sends as `X-App-Key` to the SDK API. Rotating it makes the old
    /// one stop working at once.
    #[schema(example = "ak_3Jx9v0c2Qm4hT7yLwZp1Rk5s")]
    pub app_key: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new app.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct CreateApp {
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// Cannot be changed later.
    pub kind: AppKind,
    pub edition: AppEdition,
    /// Partners and admins: the owner (a customer of the partner, or the partner itself). Customers
    /// always own what they create; partners own it when this is absent; admins must name one.
    #[validate(custom(function = "rules::numeric_id"))]
    #[schema(pattern = "^[1-9][0-9]{0,17}$")]
    pub owner_id: Option<String>,
    /// Required for `magento` apps: the store the app is connected to.
    #[validate(length(max = 500), custom(function = "rules::web_url"))]
    #[schema(
        max_length = 500,
        pattern = "^https?://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?(/[!-~]*)?$",
        example = "https://shop.example"
    )]
    pub store_url: Option<String>,
    #[validate(length(max = 500), custom(function = "rules::web_url"))]
    #[schema(
        max_length = 500,
        pattern = "^https?://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?(/[!-~]*)?$"
    )]
    pub icon_url: Option<String>,
    #[validate(length(max = 155), custom(function = "rules::app_identifier"))]
    #[schema(
        max_length = 155,
        pattern = "^[A-Za-z][A-Za-z0-9_-]*(\\.[A-Za-z][A-Za-z0-9_-]*)+$",
        example = "com.example.shop"
    )]
    pub ios_bundle_id: Option<String>,
    #[validate(length(max = 150), custom(function = "rules::app_identifier"))]
    #[schema(
        max_length = 150,
        pattern = "^[A-Za-z][A-Za-z0-9_-]*(\\.[A-Za-z][A-Za-z0-9_-]*)+$",
        example = "com.example.shop"
    )]
    pub android_package_name: Option<String>,
}

/// Changes to an app. Absent fields stay as they are; `null` clears an optional one. The kind and
/// the owner cannot change.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct UpdateApp {
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    pub edition: Option<AppEdition>,
    /// Cannot be cleared on `magento` apps.
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(max = 500), custom(function = "rules::web_url"))]
    #[schema(value_type = Option<String>, max_length = 500, pattern = "^https?://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?(/[!-~]*)?$")]
    pub store_url: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(max = 500), custom(function = "rules::web_url"))]
    #[schema(value_type = Option<String>, max_length = 500, pattern = "^https?://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?(/[!-~]*)?$")]
    pub icon_url: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(max = 155), custom(function = "rules::app_identifier"))]
    #[schema(value_type = Option<String>, max_length = 155, pattern = "^[A-Za-z][A-Za-z0-9_-]*(\\.[A-Za-z][A-Za-z0-9_-]*)+$")]
    pub ios_bundle_id: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(max = 150), custom(function = "rules::app_identifier"))]
    #[schema(value_type = Option<String>, max_length = 150, pattern = "^[A-Za-z][A-Za-z0-9_-]*(\\.[A-Za-z][A-Za-z0-9_-]*)+$")]
    pub android_package_name: Option<Option<String>>,
}

/// Filters of the apps list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct AppFilter {
    /// Case-insensitive search in the app's name.
    #[validate(length(max = 100))]
    #[param(max_length = 100)]
    pub q: Option<String>,
    #[param(inline)]
    pub kind: Option<AppKind>,
    #[param(inline)]
    pub edition: Option<AppEdition>,
    /// Partners and admins: the apps of this owner.
    #[validate(custom(function = "rules::numeric_id"))]
    #[param(pattern = "^[1-9][0-9]{0,17}$")]
    pub owner_id: Option<String>,
    #[param(inline)]
    pub sort: Option<AppSort>,
}
