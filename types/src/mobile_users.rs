//! The users of a stand-alone app ("Manage Mobile Users"). Magento apps keep theirs in the store.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::rules;

crate::string_enum! {
    /// Whether the user may use the app.
    pub enum MobileUserStatus {
        Active = "active",
        /// Cannot sign in to the app.
        Blocked = "blocked",
    }
}

/// A user of a stand-alone app.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MobileUser {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub status: MobileUserStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new mobile user, from the back office or from the app (`POST /sdk/mobile-users`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct CreateMobileUser {
    /// Unique within the app.
    #[validate(length(max = 254), custom(function = "rules::email_address"))]
    #[schema(format = Email, max_length = 254, example = "sam@mail.example")]
    pub email: String,
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub first_name: String,
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub last_name: String,
    #[validate(custom(function = "rules::phone_number"))]
    #[schema(pattern = "^[ +().-]*([0-9][ +().-]*){6,20}$")]
    pub phone: Option<String>,
}

/// What the app gets for a user it registers (`POST /sdk/mobile-users`): the same answer for a
/// new email and for one the app already has, so that the public app key tells nobody which
/// shoppers exist.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MobileUserRegistered {
    /// The user's handle: send it as `mobile_user_ref` with the user's orders and quote requests.
    /// Random, and the same each time the app registers this email.
    #[schema(example = "mu_Kp3x9QmT0aVbN2cYdE4fGw")]
    pub mobile_user_ref: String,
}

/// Changes to a mobile user; `status` blocks or unblocks. Absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct UpdateMobileUser {
    #[validate(length(max = 254), custom(function = "rules::email_address"))]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub first_name: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub last_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(custom(function = "rules::phone_number"))]
    #[schema(value_type = Option<String>, pattern = "^[ +().-]*([0-9][ +().-]*){6,20}$")]
    pub phone: Option<Option<String>>,
    pub status: Option<MobileUserStatus>,
}

/// Filters of the mobile users list and its CSV export.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct MobileUserFilter {
    /// Case-insensitive search in name and email.
    #[validate(length(max = 200))]
    #[param(max_length = 200)]
    pub q: Option<String>,
    #[param(inline)]
    pub status: Option<MobileUserStatus>,
}
