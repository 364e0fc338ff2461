//! Firebase Cloud Messaging (HTTP v1): an OAuth access token from the service account, then one
//! send per device.

use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use super::{
    excerpt, read_answer, retry, retry_after, Content, Gateways, Outcome, ServiceAccount,
    FCM_TOKEN_MARGIN,
};
use crate::webhooks::sender::describe;

impl Gateways {
    pub(super) async fn fcm_token(&self, account: &ServiceAccount) -> Result<String, Outcome> {
        let key = (account.client_email.clone(), account.private_key_id.clone());
        let mut tokens = self.fcm_tokens.lock().await;
        if let Some((token, renew_at)) = tokens.get(&key) {
            if Instant::now() < *renew_at {
                return Ok(token.clone());
            }
        }
        let now = crate::clock::system_time().timestamp();
        let claims = json!({
            "iss": account.client_email,
            "scope": "https://www.googleapis.com/auth/firebase.messaging",
            "aud": self.fcm_token_url,
            "iat": now,
            "exp": now + 3600,
        });
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(account.private_key_id.clone());
        let failed = |detail: String| Outcome::Failed {
            reason: "not_configured",
            detail,
        };
        let signing = EncodingKey::from_rsa_pem(account.private_key.as_bytes())
            .map_err(|e| failed(format!("the service account's key is unreadable: {e}")))?;
        let assertion = jsonwebtoken::encode(&header, &claims, &signing)
            .map_err(|e| failed(format!("could not sign: {e}")))?;
        let answer = self
            .client
            .post(&self.fcm_token_url)
            .form(&[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", assertion.as_str()),
            ])
            .send()
            .await
            .map_err(|e| {
                retry(
                    "provider_error",
                    format!("token endpoint: {}", describe(&e)),
                    None,
                )
            })?;
        let status = answer.status();
        let after = retry_after(&answer);
        let body: Value = answer.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            let detail = format!("token endpoint answered {status}: {}", excerpt(&body));
            return Err(if status.is_server_error() || status.as_u16() == 429 {
                retry("provider_error", detail, after)
            } else {
                failed(detail)
            });
        }
        let (Some(token), expires_in) = (
            body["access_token"].as_str(),
            body["expires_in"].as_u64().unwrap_or(3600),
        ) else {
            return Err(retry(
                "provider_error",
                "token endpoint answered no access_token".into(),
                None,
            ));
        };
        let life = Duration::from_secs(expires_in).saturating_sub(FCM_TOKEN_MARGIN);
        tokens.insert(key, (token.to_owned(), Instant::now() + life));
        Ok(token.to_owned())
    }

    pub(super) async fn fcm(
        &self,
        account: &ServiceAccount,
        token: &str,
        content: &Content,
    ) -> Outcome {
        let access = match self.fcm_token(account).await {
            Ok(access) => access,
            Err(outcome) => return outcome,
        };
        let mut data = content.data.clone();
        data.insert("message_id".into(), content.message_id.to_string());
        if let Some(link) = &content.deep_link {
            data.insert("deep_link".into(), link.clone());
        }
        let mut notification = json!({"title": content.title, "body": content.body});
        if let Some(image) = &content.image_url {
            notification["image"] = json!(image);
        }
        let body = json!({"message": {
            "token": token,
            "notification": notification,
            "data": data,
            "android": {"priority": "high"},
        }});
        let url = format!(
            "{}/v1/projects/{}/messages:send",
            self.fcm_base, account.project_id
        );
        let sent = self
            .client
            .post(url)
            .bearer_auth(&access)
            .json(&body)
            .send()
            .await;
        let (status, after, body) = match read_answer(sent).await {
            Ok(answer) => answer,
            Err(outcome) => return outcome,
        };
        let code = body["error"]["details"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|d| {
                d["@type"]
                    .as_str()
                    .is_some_and(|t| t.ends_with("google.firebase.fcm.v1.FcmError"))
            })
            .and_then(|d| d["errorCode"].as_str())
            .unwrap_or("")
            .to_owned();
        let detail = format!("HTTP {}: {}", status.as_u16(), excerpt(&body));
        match (status.as_u16(), code.as_str()) {
            (_, "UNREGISTERED") | (404, _) => Outcome::Dead {
                reason: "unregistered",
                detail,
            },
            // An FcmError INVALID_ARGUMENT names the token (a payload error comes as
            // google.rpc.BadRequest instead); a token of another sender is as useless.
            (_, "INVALID_ARGUMENT") | (_, "SENDER_ID_MISMATCH") => Outcome::Dead {
                reason: "bad_token",
                detail,
            },
            (401, _) => {
                // Our access token was refused: fetch another next time.
                self.fcm_tokens
                    .lock()
                    .await
                    .remove(&(account.client_email.clone(), account.private_key_id.clone()));
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
