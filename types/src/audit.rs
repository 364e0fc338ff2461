use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// One recorded mutation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    #[schema(example = "1001")]
    pub id: String,
    /// The account that acted; `null` for anonymous actions such as self-registration.
    pub actor_id: Option<String>,
    /// The acting account's email at the time.
    pub actor_email: Option<String>,
    /// The acting account's name today ("Peter Partner (Appmakers Agency)"); `null` once the
    /// account is deleted (`actor_email` remains).
    pub actor_name: Option<String>,
    /// During "log in as": the partner or admin behind the actor.
    pub impersonator_id: Option<String>,
    /// During "log in as": the name of the partner or admin behind the actor.
    pub impersonator_name: Option<String>,
    /// During "log in as": the email of the partner or admin behind the actor.
    pub impersonator_email: Option<String>,
    /// What happened, as `subject.verb`.
    #[schema(example = "partner.update")]
    pub action: String,
    /// The kind of object acted on.
    #[schema(example = "partner")]
    pub subject_type: String,
    /// The id of the object acted on.
    pub subject_id: Option<String>,
    /// The object's name when the event was recorded ("Mobile First Studio", "Shop 1",
    /// "2026-000042 (Shop 1)"); `null` for kinds without one (sessions) and older events.
    pub subject_name: Option<String>,
    /// The client's IP address.
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only events by this account.
    #[validate(custom(function = "crate::rules::numeric_id"))]
    #[param(pattern = "^[1-9][0-9]{0,17}$")]
    pub actor_id: Option<String>,
    /// Only this action, e.g. `partner.update`.
    #[validate(length(max = 100))]
    #[param(max_length = 100)]
    pub action: Option<String>,
    /// Only events on this kind of object.
    #[validate(length(max = 50))]
    #[param(max_length = 50)]
    pub subject_type: Option<String>,
    /// Only events on this object.
    #[validate(length(max = 50))]
    #[param(max_length = 50)]
    pub subject_id: Option<String>,
    /// Events at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Events before this time.
    pub to: Option<DateTime<Utc>>,
}
