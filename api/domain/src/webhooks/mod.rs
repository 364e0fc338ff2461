//! Webhooks: what changes in an account's reach is sent to the URLs it subscribed, signed as
//! the Standard Webhooks specification (<https://www.standardwebhooks.com>) says.
//!
//! A change calls [`emit`] in its own transaction: the event's body is written once and queued
//! for every enabled endpoint that wants its type (the owner's, its partner's, the admins'), so an
//! event exists exactly when the change does. The sender ([`sender`]) delivers queued events
//! afterwards, with retries on a schedule.

pub mod address;
pub mod sender;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::NaiveDateTime;
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::Serialize;
use sha2::Sha256;
use types::webhooks::{WebhookEventType, TEST_EVENT};

use crate::db::webhooks::{DeliveryRow, EndpointRow};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// Prefix of signing secrets, as in the specification (and Svix).
const SECRET_PREFIX: &str = "whsec_";

/// A fresh signing secret: `whsec_` and 24 random bytes in base64.
pub fn new_secret() -> String {
    let mut key = [0_u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

/// A fresh event id (`msg_…`), the `webhook-id` of every attempt to deliver it.
fn new_event_id() -> String {
    format!("msg_{}", crate::auth::secrets::random_token(16))
}

/// The `webhook-signature` entry of `body` sent as event `id` at `timestamp` (Unix seconds):
/// `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the secret's bytes.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = STANDARD
        .decode(encoded)
        .unwrap_or_else(|_| encoded.as_bytes().to_vec());
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body.as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// The body of an event: `{"type", "timestamp", "data"}`.
fn envelope<T: Serialize>(event_type: &str, at: NaiveDateTime, data: &T) -> AppResult<String> {
    #[derive(Serialize)]
    struct Envelope<'a, T> {
        r#type: &'a str,
        timestamp: chrono::DateTime<chrono::Utc>,
        data: &'a T,
    }
    serde_json::to_string(&Envelope {
        r#type: event_type,
        timestamp: crate::db::utc(at),
        data,
    })
    .map_err(AppError::internal)
}

/// Queues a `event_type` event about something `owner` owns (an app's owner for what is in an
/// app), with `data` — the resource as the API shows it — in the caller's transaction.
pub fn emit<T: Serialize>(
    conn: &mut DbConn,
    owner: i64,
    event_type: WebhookEventType,
    data: &T,
) -> AppResult<()> {
    emit_with(conn, owner, event_type, |_| Ok(Some(data)))
}

/// [`emit`], reading the event's data only when an endpoint wants it (`None`: nothing to send).
pub fn emit_with<T: Serialize>(
    conn: &mut DbConn,
    owner: i64,
    event_type: WebhookEventType,
    data: impl FnOnce(&mut DbConn) -> AppResult<Option<T>>,
) -> AppResult<()> {
    let endpoints: Vec<i64> = EndpointRow::recipients(conn, owner)?
        .into_iter()
        .filter(|(_, types)| EndpointRow::wants(types.as_deref(), event_type.as_str()))
        .map(|(id, _)| id)
        .collect();
    if endpoints.is_empty() {
        return Ok(());
    }
    let Some(data) = data(conn)? else {
        return Ok(());
    };
    let payload = envelope(event_type.as_str(), crate::clock::now(), &data)?;
    Ok(DeliveryRow::queue(
        conn,
        &new_event_id(),
        event_type.as_str(),
        &payload,
        &endpoints,
    )?)
}

/// Queues a `webhook.test` event for `endpoint` alone; the delivery's id.
pub fn queue_test(conn: &mut DbConn, endpoint: &EndpointRow) -> AppResult<i64> {
    #[derive(Serialize)]
    struct Test<'a> {
        endpoint_id: String,
        message: &'a str,
    }
    let payload = envelope(
        TEST_EVENT,
        crate::clock::now(),
        &Test {
            endpoint_id: endpoint.id.to_string(),
            message:
                "A test event from the back office: your endpoint receives and verifies events.",
        },
    )?;
    let event_id = new_event_id();
    DeliveryRow::queue(conn, &event_id, TEST_EVENT, &payload, &[endpoint.id])?;
    Ok(DeliveryRow::id_of(conn, endpoint.id, &event_id)?)
}

/// The schema (in the spec's components) of an event type's `data`.
pub fn data_schema(event_type: WebhookEventType) -> &'static str {
    use WebhookEventType as T;
    match event_type {
        T::CustomerCreated | T::CustomerUpdated | T::CustomerDeleted => "Account",
        T::AppCreated | T::AppUpdated | T::AppDeleted => "App",
        T::DeviceRegistered => "Device",
        T::MobileUserCreated | T::MobileUserUpdated | T::MobileUserDeleted => "MobileUser",
        T::OrderCreated | T::OrderUpdated => "Order",
        T::QuoteRequestCreated | T::QuoteRequestUpdated => "QuoteRequest",
        T::SubscriptionCreated | T::SubscriptionUpdated => "Subscription",
        T::PaymentSucceeded | T::PaymentFailed => "Payment",
        T::InvoiceCreated => "InvoiceSummary",
        T::PublishRequestCreated | T::PublishRequestUpdated => "PublishRequest",
        T::PushMessageCreated | T::PushMessageUpdated => "PushMessage",
    }
}

/// The spec's `webhooks` (OpenAPI 3.1): for each event type, the request the back office sends,
/// its headers and its body's schema.
pub fn spec_webhooks() -> serde_json::Value {
    use serde_json::json;
    let header = |name: &str, description: &str| {
        json!({"in": "header", "name": name, "required": true, "schema": {"type": "string"},
               "description": description})
    };
    let headers = json!([
        header(
            "webhook-id",
            "The event's id (`msg_…`), the same on every attempt: skip one already handled."
        ),
        header(
            "webhook-timestamp",
            "When this attempt was sent, in Unix seconds: refuse ones too far from your clock."
        ),
        header(
            "webhook-signature",
            "`v1,<base64 signature>`, space-separated; two during a secret rotation's 24 hours."
        ),
    ]);
    let mut hooks = serde_json::Map::new();
    for event_type in WebhookEventType::ALL {
        let name = event_type.as_str();
        let (resource, verb) = name.split_once('.').unwrap_or((name, ""));
        let resource = resource.replace('_', " ");
        hooks.insert(
            name.to_owned(),
            json!({"post": {
                "operationId": format!("webhook_{}", name.replace('.', "_")),
                "tags": ["webhooks"],
                "summary": format!("A {resource} was {verb}"),
                "description": "Sent to the enabled endpoints that subscribe this type, of the \
                    account that owns the object, its partner and the admins. Verify the signature \
                    (HMAC-SHA256 of `webhook-id.webhook-timestamp.body` with the endpoint's secret, \
                    as Standard Webhooks say) and answer 2xx within 15 seconds; anything else is \
                    retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h. 410 switches the \
                    endpoint off.",
                "security": [],
                "parameters": headers,
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["type", "timestamp", "data"],
                    "properties": {
                        "type": {"type": "string", "enum": [name]},
                        "timestamp": {"type": "string", "format": "date-time", "description": "When the change happened."},
                        "data": {"$ref": format!("#/components/schemas/{}", data_schema(*event_type)),
                                 "description": "The object as the API shows it (for `.deleted`, as it was just before)."},
                    },
                }}}},
                "responses": {"2XX": {"description": "Received; any other answer is retried."}},
            }}),
        );
    }
    serde_json::Value::Object(hooks)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of the Standard Webhooks specification's reference implementations.
    #[test]
    fn signatures_match_the_specification_example() {
        let signature = sign(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            r#"{"test": 2432232314}"#,
        );
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn secrets_are_24_random_bytes() {
        let secret = new_secret();
        let key = STANDARD
            .decode(secret.strip_prefix("whsec_").expect("prefixed"))
            .expect("base64");
        assert_eq!(key.len(), 24);
        assert_ne!(secret, new_secret());
    }
}
