use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::rules;

crate::string_enum! {
    /// What an account may do.
    pub enum Role {
        /// Runs this installation.
        Admin = "admin",
        /// An agency or reseller that manages customers.
        Partner = "partner",
        /// A business that owns mobile apps.
        Customer = "customer",
    }
}

crate::string_enum! {
    /// Where an account is in its life.
    pub enum AccountStatus {
        /// Created, must be activated (by its email link) before it can sign in.
        PendingActivation = "pending_activation",
        /// Can sign in.
        Activated = "activated",
        /// Cannot sign in until activated again.
        Locked = "locked",
    }
}

/// An account: an admin, a partner or a customer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Account {
    /// The account's id.
    #[schema(example = "42")]
    pub id: String,
    /// The email address, which is also the username.
    #[schema(example = "jane@example.com")]
    pub email: String,
    pub role: Role,
    pub status: AccountStatus,
    #[schema(example = "Jane")]
    pub first_name: String,
    #[schema(example = "Doe")]
    pub last_name: String,
    #[schema(example = "Acme Mobile")]
    pub company: Option<String>,
    #[schema(example = "+31 20 123 4567")]
    pub phone: Option<String>,
    /// ISO 3166-1 alpha-2 country code.
    #[schema(example = "NL")]
    pub country: Option<String>,
    /// For a customer: the partner that manages it.
    pub partner_id: Option<String>,
    /// The name invoices are addressed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_name: Option<String>,
    /// The postal address on invoices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<String>,
    /// VAT identification number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_id: Option<String>,
    /// For a partner: the most its coupons may take off, in percent, as an administrator set it
    /// (absent: the installation's `PARTNER_COUPON_MAX_PERCENT_OFF`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 100, example = 25)]
    pub coupon_max_percent_off: Option<i32>,
    /// For a customer: whether its partner (or an administrator) may "log in as" it. The
    /// customer decides (`PATCH account`).
    pub allow_log_in_as: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// During "log in as": the partner or admin acting as this account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impersonated_by: Option<String>,
    /// During "log in as": the acting account's email (only in `GET /me`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impersonated_by_email: Option<String>,
    /// During a read-only "log in as" (only in `GET /me`): every write is refused with 403
    /// `read_only_impersonation`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub read_only: bool,
}

/// What the signed-in account's holder decides for the account as a whole (not its profile).
/// Absent fields stay as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct UpdateAccount {
    /// A customer's consent to "log in as": `false` refuses its partner and the administrators
    /// (403 `log_in_as_disabled`) and ends the "log in as" sessions running now.
    pub allow_log_in_as: Option<bool>,
}

/// Changes a signed-in account makes to its own profile. Absent fields stay as they are;
/// `null` clears an optional field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct UpdateProfile {
    #[validate(length(min = 1, max = 100), custom(function = "rules::person_name"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub first_name: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "rules::person_name"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub last_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, max_length = 200)]
    #[validate(length(max = 200), custom(function = "rules::plain_text"))]
    pub company: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    #[validate(custom(function = "rules::phone_number"))]
    #[schema(
        pattern = "^[ +().-]*([0-9][ +().-]*){6,20}$",
        example = "+31 20 123 4567"
    )]
    pub phone: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(schema_with = rules::country_schema)]
    #[validate(custom(function = "rules::country_code"))]
    pub country: Option<Option<String>>,
    /// The name invoices are addressed to (the company, else the person, when absent).
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, max_length = 200)]
    #[validate(length(max = 200))]
    pub billing_name: Option<Option<String>>,
    /// The postal address on invoices (several lines).
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, max_length = 500)]
    #[validate(length(max = 500))]
    pub billing_address: Option<Option<String>>,
    /// VAT identification number (an EU business outside the seller's country is invoiced
    /// without VAT, under the reverse charge).
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, max_length = 20, pattern = "^[A-Za-z0-9]{4,20}$")]
    #[validate(custom(function = "rules::vat_id"))]
    pub vat_id: Option<Option<String>>,
}

/// A partner (agency or reseller), as the admin sees it.
pub type Partner = Account;

/// A new partner account.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct CreatePartner {
    /// The partner's email, which is its username; unique across all accounts.
    #[validate(length(max = 254), custom(function = "rules::email_address"))]
    #[schema(format = Email, max_length = 254, example = "agency@example.com")]
    pub email: String,
    #[validate(length(min = 1, max = 100), custom(function = "rules::person_name"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub first_name: String,
    #[validate(length(min = 1, max = 100), custom(function = "rules::person_name"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub last_name: String,
    /// The agency's name.
    #[validate(length(min = 1, max = 200), custom(function = "rules::person_name"))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub company: String,
    #[validate(custom(function = "rules::phone_number"))]
    #[schema(
        pattern = "^[ +().-]*([0-9][ +().-]*){6,20}$",
        example = "+31 20 123 4567"
    )]
    pub phone: Option<String>,
    #[validate(custom(function = "rules::country_code"))]
    #[schema(schema_with = rules::country_schema)]
    pub country: Option<String>,
    /// The status to start in (default `activated`). Without `password`, an activated account
    /// gets a set-password email, a pending one an activation email.
    pub status: Option<AccountStatus>,
    /// Optional initial password (write-only).
    #[validate(custom(function = "rules::new_password"))]
    #[schema(write_only, format = Password, min_length = 10, max_length = 128)]
    pub password: Option<String>,
}

/// Changes to a partner. Absent fields stay as they are; `null` clears an optional field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct UpdatePartner {
    #[validate(length(max = 254), custom(function = "rules::email_address"))]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "rules::person_name"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub first_name: Option<String>,
    #[validate(length(min = 1, max = 100), custom(function = "rules::person_name"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub last_name: Option<String>,
    #[validate(length(min = 1, max = 200), custom(function = "rules::person_name"))]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub company: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>)]
    #[validate(custom(function = "rules::phone_number"))]
    #[schema(
        pattern = "^[ +().-]*([0-9][ +().-]*){6,20}$",
        example = "+31 20 123 4567"
    )]
    pub phone: Option<Option<String>>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(schema_with = rules::country_schema)]
    #[validate(custom(function = "rules::country_code"))]
    pub country: Option<Option<String>>,
    /// Locking signs the partner out everywhere at once.
    pub status: Option<AccountStatus>,
    /// The most this partner's coupons may take off, in percent (never 100 % forever: that
    /// stays an administrator's); `null` returns to the installation's
    /// `PARTNER_COUPON_MAX_PERCENT_OFF`.
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(range(min = 0, max = 100))]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 100, example = 25)]
    pub coupon_max_percent_off: Option<Option<i32>>,
}

/// Sort orders of account lists.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccountSort {
    /// Newest first.
    #[default]
    #[serde(rename = "-created_at")]
    CreatedDesc,
    #[serde(rename = "created_at")]
    CreatedAsc,
    #[serde(rename = "email")]
    EmailAsc,
    #[serde(rename = "-email")]
    EmailDesc,
    /// By the name shown (the company, else first and last name), ignoring case.
    #[serde(rename = "name")]
    NameAsc,
    #[serde(rename = "-name")]
    NameDesc,
}

/// Filters of the partners list.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct PartnerFilter {
    /// Case-insensitive search in name, email and company.
    #[validate(length(max = 200))]
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only partners in this status.
    #[param(inline)]
    pub status: Option<AccountStatus>,
    /// Sort order; `-` in front means descending.
    #[param(inline)]
    pub sort: Option<AccountSort>,
}
