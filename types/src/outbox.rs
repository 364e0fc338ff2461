use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// Where an outgoing email is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmailStatus {
    /// Waiting for (another) delivery attempt.
    Queued,
    /// Accepted by the SMTP server.
    Sent,
    /// Gave up after repeated failures.
    Failed,
    /// No SMTP server is configured: written to the log and kept here only.
    Logged,
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
#[derive(Debug, Clone, Default, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct OutboxFilter {
    /// Only emails to this address (exact, case-insensitive).
    #[validate(length(max = 254))]
    #[param(max_length = 254)]
    pub to: Option<String>,
    #[param(inline)]
    pub status: Option<EmailStatus>,
}

impl EmailStatus {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sent => "sent",
            Self::Failed => "failed",
            Self::Logged => "logged",
        }
    }
}

impl std::str::FromStr for EmailStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "queued" => Ok(Self::Queued),
            "sent" => Ok(Self::Sent),
            "failed" => Ok(Self::Failed),
            "logged" => Ok(Self::Logged),
            other => Err(format!("unknown email status {other}")),
        }
    }
}
