use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::accounts::{AccountSort, AccountStatus};
use crate::rules;

/// A customer: a business that owns mobile apps, managed by a partner.
pub type Customer = crate::accounts::Account;

/// A new customer account. `email` is the username.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct CreateCustomer {
    /// Unique across all accounts.
    #[validate(length(max = 254), custom(function = "rules::email_address"))]
    #[schema(format = Email, max_length = 254, example = "owner@shop.example")]
    pub email: String,
    #[validate(length(min = 1, max = 100), custom(function = "rules::person_name"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub first_name: String,
    #[validate(length(min = 1, max = 100), custom(function = "rules::person_name"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub last_name: String,
    #[validate(length(max = 200), custom(function = "rules::plain_text"))]
    #[schema(max_length = 200)]
    pub company: Option<String>,
    #[validate(custom(function = "rules::phone_number"))]
    #[schema(
        pattern = "^[ +().-]*([0-9][ +().-]*){6,20}$",
        example = "+31 20 123 4567"
    )]
    pub phone: Option<String>,
    #[validate(custom(function = "rules::country_code"))]
    #[schema(schema_with = rules::country_schema)]
    pub country: Option<String>,
    /// `pending_activation` (must activate first), `activated` (can sign in at once) or `locked`.
    pub status: AccountStatus,
    /// Optional initial password. Without one, an activated customer is emailed a set-password
    /// link and a pending one an activation link.
    #[validate(custom(function = "rules::new_password"))]
    #[schema(write_only, format = Password, min_length = 10, max_length = 128)]
    pub password: Option<String>,
    /// Admins only: the partner that manages the customer (none: a direct customer). Partners
    /// always create their own customers.
    #[validate(custom(function = "rules::numeric_id"))]
    #[schema(pattern = "^[1-9][0-9]{0,17}$")]
    pub partner_id: Option<String>,
}

/// Changes to a customer. Absent fields stay as they are; `null` clears an optional field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct UpdateCustomer {
    #[validate(length(max = 254), custom(function = "rules::email_address"))]
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
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
    #[validate(custom(function = "rules::phone_number"))]
    #[schema(value_type = Option<String>, pattern = "^[ +().-]*([0-9][ +().-]*){6,20}$")]
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
    /// Locking signs the customer out everywhere at once.
    pub status: Option<AccountStatus>,
}

/// Filters of the customers list (the article's Customer / Status / Date filters).
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct CustomerFilter {
    /// "Customer": case-insensitive search in first and last name, email and company.
    #[validate(length(max = 200))]
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// "Status": exactly this status.
    #[param(inline)]
    pub status: Option<AccountStatus>,
    /// "Date": created on this day (UTC), `YYYY-MM-DD`.
    pub created_on: Option<NaiveDate>,
    /// Created on or after this day (UTC).
    pub created_from: Option<NaiveDate>,
    /// Created on or before this day (UTC).
    pub created_to: Option<NaiveDate>,
    /// Admins only: customers of this partner.
    #[validate(custom(function = "rules::numeric_id"))]
    #[param(pattern = "^[1-9][0-9]{0,17}$")]
    pub partner_id: Option<String>,
    /// Sort order; `-` in front means descending.
    #[param(inline)]
    pub sort: Option<AccountSort>,
}

/// "Log in as": options.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct ImpersonateRequest {
    /// Look only: every write in the session is refused with 403 `read_only_impersonation`.
    #[serde(default)]
    pub read_only: bool,
}

/// A one-time code that opens the customer's back office in a new tab.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImpersonationCode {
    /// Exchange it with `POST /auth/impersonation/exchange` within `expires_in` seconds; it works once.
    pub code: String,
    /// Seconds the code stays valid (60).
    pub expires_in: i64,
    /// The SPA page that exchanges the code: open it in a new tab.
    pub url: String,
}

/// Exchanges a "log in as" code for a session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct ImpersonationExchange {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub code: String,
    /// For browsers: refresh token as an HttpOnly cookie, as with sign-in.
    #[serde(default)]
    pub use_cookie: bool,
}
