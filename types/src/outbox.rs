use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

crate::string_enum! {
    /// Where an outgoing email is.
    pub enum EmailStatus {
        /// Waiting for (another) delivery attempt.
        Queued = "queued",
        /// Accepted by the SMTP server.
        Sent = "sent",
        /// Gave up after repeated failures.
        Failed = "failed",
        /// No SMTP server is configured: written to the log and kept here only.
        Logged = "logged",
    }
}

/// An email the back office sent or will send.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OutboxEmail {
    pub id: String,
    #[schema(example = "jane@example.com")]
    pub to: String,
    pub subject: String,
    /// Plain-text body (holds the activation / set-password links).
    pub body: String,
    pub status: EmailStatus,
    /// Delivery attempts so far.
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Filters of the outbox.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct OutboxFilter {
    /// Only emails to this address (exact, case-insensitive).
    #[validate(length(max = 254))]
    #[param(max_length = 254)]
    pub to: Option<String>,
    #[param(inline)]
    pub status: Option<EmailStatus>,
}
