use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::rules;

/// The kind of account a self-registration creates: only `customer` (a partner account is opened
/// by an administrator; `partner` is answered 422 on `role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegisterAs {
    Customer,
    Partner,
}

/// Self-registration: creates a pending customer account and emails an activation link, where
/// the person who holds the email chooses the password (`POST auth/activate`). No password is
/// taken here: whoever signs up with someone else's email can never sign in as them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct RegisterRequest {
    #[validate(length(max = 254), custom(function = "rules::email_address"))]
    #[schema(format = Email, max_length = 254, example = "new.user@example.com")]
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
    /// `customer` (the default, and the only kind a sign-up makes).
    pub role: Option<RegisterAs>,
}

/// An administrator made from the command line (`backoffice create-admin`).
#[derive(Debug, Clone, Validate)]
pub struct NewAdmin {
    #[validate(length(max = 254), custom(function = "rules::email_address"))]
    pub email: String,
    #[validate(custom(function = "rules::new_password"))]
    pub password: String,
    #[validate(length(min = 1, max = 100), custom(function = "rules::person_name"))]
    pub first_name: String,
    #[validate(length(min = 1, max = 100), custom(function = "rules::person_name"))]
    pub last_name: String,
}

/// The answer to a sign-up, the same whether or not the email already had an account (its
/// holder is told by email instead), so that sign-up does not reveal who has one.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegistrationAccepted {
    /// Where the link went.
    #[schema(example = "new.user@example.com")]
    pub email: String,
    /// What to do next, for people.
    pub detail: String,
}

/// Activates an account (or sets its password) with the token from its email: the password is
/// chosen here, by whoever holds the email.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct ActivateRequest {
    /// The token from the activation or set-password link.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
    /// The account's password from now on.
    #[validate(custom(function = "rules::new_password"))]
    #[schema(write_only, format = Password, min_length = 10, max_length = 128, example = "correct horse 42")]
    pub password: String,
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
    #[validate(custom(function = "rules::new_password"))]
    #[schema(write_only, format = Password, min_length = 10, max_length = 128, example = "correct horse 42")]
    pub new_password: String,
    /// Also revoke the account's personal API tokens (default `true`): whoever knew the old
    /// password may have made some. Every session ends either way.
    #[serde(default = "yes")]
    #[schema(default = true)]
    pub revoke_api_tokens: bool,
}

fn yes() -> bool {
    true
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
    #[validate(custom(function = "rules::new_password"))]
    #[schema(write_only, format = Password, min_length = 10, max_length = 128)]
    pub new_password: String,
}

/// A session of the signed-in person: a sign-in, kept alive by refreshing, until it is ended
/// (signed out, ended here, a password change or reset) or unused for 30 days.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Session {
    #[schema(example = "12")]
    pub id: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it last renewed its access (about every quarter of an hour while in use).
    pub last_used_at: chrono::DateTime<chrono::Utc>,
    /// The address it signed in from (absent for sessions older than this record).
    pub ip: Option<String>,
    /// The browser or program it signed in with, as it named itself.
    pub user_agent: Option<String>,
    /// The browser and system read from `user_agent` (`Chrome on Windows`), when known.
    pub device: Option<String>,
    /// Whether this is the session the request came from.
    pub current: bool,
}

/// The signed-in person's sessions, the current one first, then the most recently used.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionList {
    pub items: Vec<Session>,
}

crate::string_enum! {
    /// A way to give the second step of a sign-in.
    pub enum TwoFactorMethod {
        /// A 6-digit code from an authenticator app (RFC 6238).
        Totp = "totp",
        /// One of the ten recovery codes, each used once.
        RecoveryCode = "recovery_code",
    }
}

/// The first step of a sign-in of a person with a second factor: no tokens yet, but a challenge
/// to answer at `POST auth/login/two-factor` within 5 minutes, once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TwoFactorChallenge {
    /// Always `true`: tells this answer from the tokens.
    pub two_factor_required: bool,
    pub challenge: String,
    /// What the challenge may be answered with.
    pub methods: Vec<TwoFactorMethod>,
}

/// What `POST auth/login` answers: the tokens, or a second step to take first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum LoginReply {
    Tokens(TokenResponse),
    TwoFactor(TwoFactorChallenge),
}

/// The second step of a sign-in: the challenge, with a code from the app or a recovery code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct SecondFactor {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub challenge: String,
    /// The 6 digits the authenticator app shows now.
    #[validate(length(min = 6, max = 10))]
    #[schema(min_length = 6, max_length = 10, example = "123456")]
    pub code: Option<String>,
    /// One of the recovery codes (used up by this sign-in).
    #[validate(length(min = 8, max = 40))]
    #[schema(min_length = 8, max_length = 40, example = "abcde-fghjk")]
    pub recovery_code: Option<String>,
    /// Browser sessions: the refresh token goes to an HttpOnly cookie, as at `POST auth/login`.
    #[serde(default)]
    pub use_cookie: bool,
}

/// An enrolment started: the secret to put in an authenticator app, by hand or by its QR code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TotpEnrolment {
    /// Base32, as the apps take it typed in.
    #[schema(example = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")]
    pub secret: String,
    /// The `otpauth://totp/…` address the QR code holds (SHA-1, 6 digits, 30 s).
    pub otpauth_uri: String,
    /// The QR code of `otpauth_uri`, as an SVG document (made here: no outside service).
    pub qr_svg: String,
}

/// A code from the authenticator app (or, to turn the second factor off, a recovery code).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct TwoFactorCode {
    #[validate(length(min = 6, max = 40))]
    #[schema(min_length = 6, max_length = 40, example = "123456")]
    pub code: String,
}

/// Ten single-use recovery codes, shown this once (only their hashes are kept).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecoveryCodes {
    pub recovery_codes: Vec<String>,
}

/// Whether the signed-in person signs in with a second factor.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TwoFactorStatus {
    /// An authenticator app is confirmed.
    pub totp: bool,
    /// Recovery codes not used yet.
    pub recovery_codes_left: i64,
}
