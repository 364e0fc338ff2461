use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::rules;

/// The kind of account a self-registration creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegisterAs {
    Customer,
    Partner,
}

/// Self-registration: creates a pending account and emails an activation link.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct RegisterRequest {
    #[validate(length(max = 254), custom(function = "rules::email_address"))]
    #[schema(format = Email, max_length = 254, example = "new.user@example.com")]
    pub email: String,
    #[validate(length(min = 10, max = 128, message = "must be 10 to 128 characters"))]
    #[schema(write_only, format = Password, min_length = 10, max_length = 128, example = "correct horse 42")]
    pub password: String,
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub first_name: String,
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub last_name: String,
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub company: Option<String>,
    /// `customer` (default) or `partner`.
    pub role: Option<RegisterAs>,
}

/// Activates an account (or sets its password) with the token from its email.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct ActivateRequest {
    /// The token from the activation or set-password link.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
    /// Required when the account has no password yet (set-password links).
    #[validate(length(min = 10, max = 128, message = "must be 10 to 128 characters"))]
    #[schema(write_only, format = Password, min_length = 10, max_length = 128)]
    pub password: Option<String>,
}

/// Asks for a password-reset link by email.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct PasswordResetRequest {
    /// The account's email. The answer is the same whether or not an account uses it.
    #[validate(length(max = 254), custom(function = "rules::email_address"))]
    #[schema(format = Email, max_length = 254, example = "jane@example.com")]
    pub email: String,
}

/// Sets a new password with the token from a password-reset link.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct PasswordResetConfirm {
    /// The token from the link (it works once, for an hour).
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
    #[validate(length(min = 10, max = 128, message = "must be 10 to 128 characters"))]
    #[schema(write_only, format = Password, min_length = 10, max_length = 128, example = "correct horse 42")]
    pub new_password: String,
}

/// Sign-in with email and password.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 254))]
    #[schema(min_length = 1, max_length = 254, example = "admin@demo.test")]
    pub email: String,
    #[validate(length(min = 1, max = 128))]
    #[schema(format = Password, min_length = 1, max_length = 128, example = "demo-password-1")]
    pub password: String,
    /// For browsers: set the refresh token as an HttpOnly, SameSite=Strict cookie scoped to
    /// `/api/v1/auth` instead of returning it in the body, so page scripts never see it.
    #[serde(default)]
    pub use_cookie: bool,
}

/// A fresh session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// Short-lived JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// One-time token that `POST /auth/refresh` exchanges for a new pair; absent when it was set
    /// as a cookie instead (`use_cookie`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: String,
    /// Seconds until `access_token` expires.
    #[schema(example = 900)]
    pub expires_in: i64,
}

/// A refresh token to exchange or revoke. Without `refresh_token`, the `bo_refresh` cookie set
/// by a `use_cookie` sign-in is used (and replaced or cleared).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub refresh_token: Option<String>,
}

/// Changes the signed-in account's password; every other session is signed out.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct ChangePasswordRequest {
    #[validate(length(min = 1, max = 128))]
    #[schema(write_only, format = Password, min_length = 1, max_length = 128)]
    pub current_password: String,
    #[validate(length(min = 10, max = 128, message = "must be 10 to 128 characters"))]
    #[schema(write_only, format = Password, min_length = 10, max_length = 128)]
    pub new_password: String,
}
