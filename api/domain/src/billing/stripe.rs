//! The `stripe` payment provider: server-side PaymentIntents confirmed off-session with a saved
//! payment method, and Stripe's signed webhooks for the results that come later.
//!
//! - Each billed account gets a Stripe Customer the first time it saves a payment method; the
//!   method is attached to it, so renewals can charge it without the payer present.
//! - Every POST carries an `Idempotency-Key` derived from what it does (the account for a
//!   customer, the invoice, attempt and payment method for a charge): after a timeout the same
//!   attempt is sent again and Stripe replays its first answer instead of charging twice.
//! - A PaymentIntent `processing` (a bank debit) leaves the payment `pending`; the
//!   `payment_intent.succeeded` / `payment_intent.payment_failed` webhook settles it. Webhooks are
//!   verified as Stripe documents: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`
//!   with the endpoint's secret, the timestamp within five minutes of our clock.
//! - Network failures, 429, 5xx and authentication errors are [`ProviderError::Unavailable`]:
//!   the request fails with 503 and nothing is recorded; a card refusal is a decline.

use std::sync::OnceLock;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::provider::{
    ChargeOutcome, ChargeRequest, Payer, PaymentProvider, ProviderError, SavedMethod, Settlement,
    WebhookError,
};

/// How far a webhook's signed timestamp may be from our clock (Stripe's libraries: 300 s).
pub const WEBHOOK_TOLERANCE_SECS: i64 = 300;

pub use crate::settings::StripeConfig;

pub struct StripeProvider {
    config: StripeConfig,
    /// Made on first use, on a blocking-pool thread: the blocking client runs its own runtime,
    /// which cannot be started from inside the server's.
    client: OnceLock<reqwest::blocking::Client>,
}

/// What Stripe answered to a POST: the object, or its error object with the HTTP status.
enum Answer {
    Object(Value),
    Error { status: u16, error: Value },
}

impl StripeProvider {
    pub fn new(config: StripeConfig) -> Self {
        Self {
            config,
            client: OnceLock::new(),
        }
    }

    fn client(&self) -> &reqwest::blocking::Client {
        self.client.get_or_init(|| {
            reqwest::blocking::Client::builder()
                .connect_timeout(Duration::from_secs(10))
                .timeout(Duration::from_secs(30))
                .user_agent(concat!("mobile-back-office/", env!("CARGO_PKG_VERSION")))
                .build()
                .expect("the HTTP client's TLS setup is built in")
        })
    }

    /// POSTs a form to `path` under `idempotency_key`.
    fn post(
        &self,
        path: &str,
        idempotency_key: &str,
        form: &[(&str, String)],
    ) -> Result<Answer, ProviderError> {
        let url = format!("{}{path}", self.config.api_base.trim_end_matches('/'));
        let response = self
            .client()
            .post(&url)
            .bearer_auth(&self.config.secret_key)
            .header("Idempotency-Key", idempotency_key)
            .form(form)
            .send()
            .map_err(|e| unavailable(path, &e.to_string()))?;
        let status = response.status().as_u16();
        let body: Value = response
            .json()
            .map_err(|e| unavailable(path, &format!("unreadable answer ({status}): {e}")))?;
        if (200..300).contains(&status) {
            return Ok(Answer::Object(body));
        }
        let error = body.get("error").cloned().unwrap_or(Value::Null);
        let kind = error["type"].as_str().unwrap_or_default();
        // Ours or Stripe's trouble, not the payer's: try the same attempt again later.
        if matches!(status, 401 | 403 | 409 | 429) || status >= 500 || kind == "idempotency_error" {
            let message = error["message"].as_str().unwrap_or("no message");
            return Err(unavailable(path, &format!("{status} {kind}: {message}")));
        }
        Ok(Answer::Error { status, error })
    }

    fn create_customer(&self, payer: &Payer<'_>) -> Result<String, ProviderError> {
        let form = [
            ("email", payer.email.to_owned()),
            ("name", payer.name.to_owned()),
            ("metadata[account_id]", payer.account_id.to_string()),
        ];
        let key = format!("customer_account_{}", payer.account_id);
        match self.post("/v1/customers", &key, &form)? {
            Answer::Object(customer) => id_of(&customer, "/v1/customers"),
            Answer::Error { status, error } => Err(unavailable(
                "/v1/customers",
                &format!(
                    "{status}: {}",
                    error["message"].as_str().unwrap_or("refused")
                ),
            )),
        }
    }
}

fn unavailable(path: &str, why: &str) -> ProviderError {
    tracing::warn!(path, why, "Stripe did not answer as expected");
    ProviderError::Unavailable(format!("Stripe {path}: {why}"))
}

fn id_of(object: &Value, path: &str) -> Result<String, ProviderError> {
    object["id"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| unavailable(path, "an answer without an id"))
}

/// The payer-facing reason of a Stripe error or `last_payment_error`: (code, message).
fn reason(error: &Value) -> (String, String) {
    let code = error["decline_code"]
        .as_str()
        .or_else(|| error["code"].as_str())
        .unwrap_or("card_declined");
    let message = error["message"]
        .as_str()
        .unwrap_or("The payment was declined.");
    (code.to_owned(), message.to_owned())
}

impl PaymentProvider for StripeProvider {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn knows(&self, payment_method: &str) -> bool {
        payment_method.strip_prefix("pm_").is_some_and(|rest| {
            !rest.is_empty()
                && rest.len() <= 200
                && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    }

    fn save_method(
        &self,
        payer: &Payer<'_>,
        customer: Option<&str>,
        payment_method: &str,
    ) -> Result<SavedMethod, ProviderError> {
        let (customer, new_customer) = match customer {
            Some(customer) => (customer.to_owned(), None),
            None => {
                let made = self.create_customer(payer)?;
                (made.clone(), Some(made))
            }
        };
        let path = format!("/v1/payment_methods/{payment_method}/attach");
        let key = format!("attach_{payment_method}_{customer}");
        match self.post(&path, &key, &[("customer", customer.clone())])? {
            Answer::Object(method) => Ok(SavedMethod {
                new_customer,
                payment_method: id_of(&method, &path)?,
            }),
            Answer::Error { error, .. } => {
                let (code, message) = reason(&error);
                Err(ProviderError::Refused { code, message })
            }
        }
    }

    fn charge(&self, request: &ChargeRequest<'_>) -> Result<ChargeOutcome, ProviderError> {
        let mut form = vec![
            ("amount", request.amount.to_string()),
            ("currency", request.currency.to_ascii_lowercase()),
            ("payment_method", request.payment_method.to_owned()),
            ("confirm", "true".to_owned()),
            ("off_session", "true".to_owned()),
            ("description", request.description.to_owned()),
            ("metadata[invoice_id]", request.invoice_id.to_string()),
        ];
        if let Some(customer) = request.customer {
            form.push(("customer", customer.to_owned()));
        }
        let intent = match self.post("/v1/payment_intents", &request.idempotency_key, &form)? {
            Answer::Object(intent) => intent,
            // A refused confirmation: Stripe answers 402 with the PaymentIntent in the error.
            Answer::Error { error, .. } => {
                let (code, message) = reason(&error);
                return Ok(ChargeOutcome::Declined {
                    code,
                    message,
                    reference: error["payment_intent"]["id"].as_str().map(str::to_owned),
                });
            }
        };
        let reference = id_of(&intent, "/v1/payment_intents")?;
        Ok(match intent["status"].as_str().unwrap_or_default() {
            "succeeded" => ChargeOutcome::Succeeded { reference },
            "processing" => ChargeOutcome::Pending { reference },
            "requires_action" | "requires_confirmation" => ChargeOutcome::Declined {
                code: "authentication_required".into(),
                message: "The bank asks the cardholder to confirm this payment; pay from the \
                          back office to confirm it."
                    .into(),
                reference: Some(reference),
            },
            other => {
                let (code, message) = match intent.get("last_payment_error") {
                    Some(error) if error.is_object() => reason(error),
                    _ => (other.to_owned(), format!("The payment is {other}.")),
                };
                ChargeOutcome::Declined {
                    code,
                    message,
                    reference: Some(reference),
                }
            }
        })
    }

    fn read_webhook(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<Option<Settlement>, WebhookError> {
        verify_signature(&self.config.webhook_secret, signature, body, now)?;
        let event: Value = serde_json::from_slice(body).map_err(|_| WebhookError::Malformed)?;
        let object = &event["data"]["object"];
        let result = match event["type"].as_str().ok_or(WebhookError::Malformed)? {
            "payment_intent.succeeded" => Ok(()),
            "payment_intent.payment_failed" => Err(reason(&object["last_payment_error"])),
            _ => return Ok(None),
        };
        let reference = object["id"].as_str().ok_or(WebhookError::Malformed)?;
        Ok(Some(Settlement {
            reference: reference.to_owned(),
            result,
        }))
    }
}

/// Checks a `Stripe-Signature` header against `body`: one of its `v1` signatures must be the
/// HMAC-SHA256 of `"{t}.{body}"` under `secret`, and `t` within the tolerance of `now`.
pub fn verify_signature(
    secret: &str,
    header: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), WebhookError> {
    let header = header.ok_or(WebhookError::BadSignature("no Stripe-Signature header"))?;
    let mut timestamp = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", t)) => timestamp = t.parse::<i64>().ok(),
            Some(("v1", v1)) => signatures.extend(hex::decode(v1).ok()),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(WebhookError::BadSignature(
        "the Stripe-Signature header has no timestamp",
    ))?;
    if (now - timestamp).abs() > WEBHOOK_TOLERANCE_SECS {
        return Err(WebhookError::BadSignature(
            "the signature's timestamp is outside the tolerance",
        ));
    }
    let signed = |signature: &[u8]| {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
        mac.update(timestamp.to_string().as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(signature).is_ok()
    };
    if signatures.iter().any(|s| signed(s)) {
        Ok(())
    } else {
        Err(WebhookError::BadSignature(
            "no v1 signature matches the body",
        ))
    }
}

/// A `Stripe-Signature` header for `body` at `timestamp` (what Stripe sends; for tests and
/// local tools).
pub fn sign(secret: &str, body: &[u8], timestamp: i64) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(body);
    format!(
        "t={timestamp},v1={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";

    #[test]
    fn a_signature_made_as_stripe_makes_it_verifies() {
        let body = br#"{"type":"payment_intent.succeeded"}"#;
        let header = sign(SECRET, body, 1_700_000_000);
        assert_eq!(
            verify_signature(SECRET, Some(&header), body, 1_700_000_100),
            Ok(())
        );
        // Several v1 signatures (a secret being rolled): any one may match.
        let rolled = format!("t=1700000000,v1={},{}", "00".repeat(32), &header[13..]);
        assert_eq!(
            verify_signature(SECRET, Some(&rolled), body, 1_700_000_000),
            Ok(())
        );
    }

    #[test]
    fn a_changed_body_an_old_timestamp_or_another_secret_is_refused() {
        let body = br#"{"type":"payment_intent.succeeded"}"#;
        let header = sign(SECRET, body, 1_700_000_000);
        let refused = |header: Option<&str>, body: &[u8], now: i64, secret: &str| {
            matches!(
                verify_signature(secret, header, body, now),
                Err(WebhookError::BadSignature(_))
            )
        };
        assert!(refused(Some(&header), b"{}", 1_700_000_000, SECRET));
        assert!(refused(Some(&header), body, 1_700_000_301, SECRET));
        assert!(refused(Some(&header), body, 1_700_000_000, "whsec_other"));
        assert!(refused(None, body, 1_700_000_000, SECRET));
        assert!(refused(Some("v1=abc"), body, 1_700_000_000, SECRET));
        assert!(refused(
            Some(&header.replace("v1=", "v0=")),
            body,
            1_700_000_000,
            SECRET
        ));
    }

    #[test]
    fn payment_method_ids_are_checked_for_shape_only() {
        let stripe = StripeProvider::new(StripeConfig {
            secret_key: "sk_test_x".into(),
            api_base: "http://127.0.0.1:9".into(),
            webhook_secret: SECRET.into(),
        });
        assert!(stripe.knows("pm_card_visa"));
        assert!(stripe.knows("pm_1Q2w3E4r5T6y"));
        assert!(!stripe.knows("pm_"));
        assert!(!stripe.knows("card_123"));
        assert!(!stripe.knows("pm_../../v1/charges"));
    }
}
