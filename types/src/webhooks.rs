//! Webhook endpoints: where an account wants to be told about changes, and what was sent there.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::rules;

crate::string_enum! {
    /// What happened: `<resource>.<verb>`. The event's `data` is the resource as the API shows
    /// it (for `.deleted`, as it was just before).
    pub enum WebhookEventType {
        CustomerCreated = "customer.created",
        CustomerUpdated = "customer.updated",
        CustomerDeleted = "customer.deleted",
        AppCreated = "app.created",
        AppUpdated = "app.updated",
        AppDeleted = "app.deleted",
        DeviceRegistered = "device.registered",
        MobileUserCreated = "mobile_user.created",
        MobileUserUpdated = "mobile_user.updated",
        MobileUserDeleted = "mobile_user.deleted",
        OrderCreated = "order.created",
        OrderUpdated = "order.updated",
        QuoteRequestCreated = "quote_request.created",
        QuoteRequestUpdated = "quote_request.updated",
        SubscriptionCreated = "subscription.created",
        SubscriptionUpdated = "subscription.updated",
        PaymentSucceeded = "payment.succeeded",
        PaymentFailed = "payment.failed",
        InvoiceCreated = "invoice.created",
        PublishRequestCreated = "publish_request.created",
        PublishRequestUpdated = "publish_request.updated",
        PushMessageCreated = "push_message.created",
        PushMessageUpdated = "push_message.updated",
    }
}

/// The type of the event `POST …/{id}/test` sends (to that endpoint only, whatever it subscribes).
pub const TEST_EVENT: &str = "webhook.test";

crate::string_enum! {
    /// Why the back office switched an endpoint off: it answered `410 Gone`, or every attempt
    /// failed for 5 days. Enabling it again clears this.
    pub enum DisabledReason {
        Gone = "gone",
        Failing = "failing",
    }
}

crate::string_enum! {
    /// `pending` (an attempt is due at `next_attempt_at`), `succeeded` (answered 2xx) or `failed`
    /// (every scheduled attempt failed, or the endpoint was switched off).
    pub enum DeliveryStatus {
        Pending = "pending",
        Succeeded = "succeeded",
        Failed = "failed",
    }
}

/// A URL that receives the account's events, signed as the Standard Webhooks specification says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookEndpoint {
    #[schema(example = "3")]
    pub id: String,
    #[schema(example = "https://erp.example/hooks/backoffice")]
    pub url: String,
    pub description: Option<String>,
    /// The event types sent here; `null` for every type (new ones included).
    pub event_types: Option<Vec<WebhookEventType>>,
    pub enabled: bool,
    /// Set when the back office switched it off.
    pub disabled_reason: Option<DisabledReason>,
    /// Since when every attempt has failed (after 5 days the endpoint is switched off).
    pub failing_since: Option<DateTime<Utc>>,
    /// After a rotation, until when events are also signed with the previous secret.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// The signing secret (`whsec_…`): only in the answers to creation and rotation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new webhook endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct CreateWebhookEndpoint {
    /// Where to `POST` events: `https://` (or `http://`) on a public address. Loopback, private,
    /// link-local and metadata addresses are refused.
    #[validate(length(max = 500), custom(function = "rules::web_url"))]
    #[schema(
        max_length = 500,
        pattern = "^https?://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?(/[!-~]*)?$",
        example = "https://erp.example/hooks/backoffice"
    )]
    pub url: String,
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub description: Option<String>,
    /// The event types to send; absent or `null` for all.
    #[validate(length(min = 1, max = 50))]
    #[schema(min_items = 1)]
    pub event_types: Option<Vec<WebhookEventType>>,
    /// Default `true`.
    pub enabled: Option<bool>,
}

/// Changes to an endpoint; absent fields stay as they are. Enabling a switched-off endpoint
/// clears `disabled_reason` and `failing_since`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct UpdateWebhookEndpoint {
    #[validate(length(max = 500), custom(function = "rules::web_url"))]
    #[schema(
        max_length = 500,
        pattern = "^https?://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?(/[!-~]*)?$"
    )]
    pub url: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(max = 200))]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub description: Option<Option<String>>,
    /// `null` for every type.
    #[serde(
        default,
        deserialize_with = "crate::double_option",
        skip_serializing_if = "Option::is_none"
    )]
    #[validate(length(min = 1, max = 50))]
    #[schema(value_type = Option<Vec<WebhookEventType>>, min_items = 1)]
    pub event_types: Option<Option<Vec<WebhookEventType>>>,
    pub enabled: Option<bool>,
}

/// One event sent (or to be sent) to one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct WebhookDelivery {
    #[schema(example = "12")]
    pub id: String,
    /// The `webhook-id` header: the same on every attempt, for the receiver to skip repeats.
    #[schema(example = "msg_2b7c9Qq4tFv0kX1zR8aHd3")]
    pub event_id: String,
    /// A [`WebhookEventType`], or `webhook.test`.
    #[schema(example = "order.created")]
    pub event_type: String,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i32,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The HTTP status of the last answer (`null` when none came: refused, timed out…).
    pub response_status: Option<i32>,
    /// How long the last attempt took, in milliseconds.
    pub response_ms: Option<i32>,
    /// What went wrong with the last attempt.
    pub error: Option<String>,
    /// When the next attempt is due (`pending` only).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The body sent: `{type, timestamp, data}`.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// Filters of an endpoint's delivery log.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    #[param(inline)]
    pub status: Option<DeliveryStatus>,
}
