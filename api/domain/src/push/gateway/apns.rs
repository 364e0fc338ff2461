//! Apple Push Notification service: a signed provider token (ES256 JWT), then one HTTP/2 request
//! per device.

use std::time::Instant;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use types::push::ApnsEnvironment;

use super::{excerpt, read_answer, retry, ApnsKey, Content, Gateways, Outcome, APNS_TOKEN_LIFE};

impl Gateways {
    pub(super) fn apns_token(&self, key: &ApnsKey, fresh: bool) -> Result<String, Outcome> {
        let id = (key.key_id.clone(), key.team_id.clone());
        let mut tokens = self
            .apns_tokens
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((token, made)) = tokens.get(&id) {
            if !fresh && made.elapsed() < APNS_TOKEN_LIFE {
                return Ok(token.clone());
            }
        }
        let failed = |detail: String| Outcome::Failed {
            reason: "not_configured",
            detail,
        };
        let signing = EncodingKey::from_ec_pem(key.private_key.as_bytes())
            .map_err(|e| failed(format!("the APNs key is unreadable: {e}")))?;
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(key.key_id.clone());
        let claims = json!({"iss": key.team_id, "iat": crate::clock::system_time().timestamp()});
        let token = jsonwebtoken::encode(&header, &claims, &signing)
            .map_err(|e| failed(format!("could not sign: {e}")))?;
        tokens.insert(id, (token.clone(), Instant::now()));
        Ok(token)
    }

    pub(super) async fn apns(&self, key: &ApnsKey, token: &str, content: &Content) -> Outcome {
        let provider_token = match self.apns_token(key, false) {
            Ok(t) => t,
            Err(outcome) => return outcome,
        };
        let mut alert = json!({"title": content.title, "body": content.body});
        if content.title.is_empty() {
            alert = json!({"body": content.body});
        }
        let mut aps = json!({"alert": alert, "sound": "default"});
        if content.image_url.is_some() {
            aps["mutable-content"] = json!(1);
        }
        let mut payload = json!({"aps": aps, "message_id": content.message_id.to_string()});
        if let Some(link) = &content.deep_link {
            payload["deep_link"] = json!(link);
        }
        if let Some(image) = &content.image_url {
            payload["image_url"] = json!(image);
        }
        for (k, v) in &content.data {
            payload[k] = json!(v);
        }
        let base = match key.environment {
            ApnsEnvironment::Production => &self.apns_base,
            ApnsEnvironment::Sandbox => &self.apns_sandbox_base,
        };
        let answer = self
            .client
            .post(format!("{base}/3/device/{token}"))
            .header("authorization", format!("bearer {provider_token}"))
            .header("apns-topic", &key.topic)
            .header("apns-push-type", "alert")
            .header("apns-priority", "10")
            .json(&payload)
            .send()
            .await;
        let (status, after, body) = match read_answer(answer).await {
            Ok(answer) => answer,
            Err(outcome) => return outcome,
        };
        let reason = body["reason"].as_str().unwrap_or("").to_owned();
        let detail = format!("HTTP {}: {}", status.as_u16(), excerpt(&body));
        match (status.as_u16(), reason.as_str()) {
            (410, _) | (_, "Unregistered") => Outcome::Dead {
                reason: "unregistered",
                detail,
            },
            (_, "BadDeviceToken") | (_, "DeviceTokenNotForTopic") => Outcome::Dead {
                reason: "bad_token",
                detail,
            },
            (403, "ExpiredProviderToken") => {
                // Make a new provider token for the next attempt.
                let _ = self.apns_token(key, true);
                retry("provider_error", detail, after)
            }
            (429, _) => retry("rate_limited", detail, after),
            (s, _) if s >= 500 => retry("provider_error", detail, after),
            _ => Outcome::Failed {
                reason: "rejected",
                detail,
            },
        }
    }
}
