//! The providers a push leaves through: **FCM HTTP v1** (a service account's RS256 JWT traded
//! for an OAuth 2.0 access token, cached until near its expiry; one `messages:send` per device
//! token), **APNs** (an ES256 provider token reused for 40 minutes; `POST /3/device/{token}`),
//! both over HTTP/2, and the **log** gateway that only records what would be sent. Each answer
//! becomes an [`Outcome`]: sent, a dead token, worth retrying (429, 5xx, transport), or refused.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::Mutex;
use types::devices::Platform;
use types::push::ApnsEnvironment;

use crate::settings::{PushGateway, Settings};
use crate::webhooks::sender::describe;

/// How long one provider request may take.
const TIMEOUT: Duration = Duration::from_secs(15);

/// An APNs provider token is reused this long (Apple: refresh no more than once every 20
/// minutes, and at least once an hour).
const APNS_TOKEN_LIFE: Duration = Duration::from_secs(40 * 60);

/// An FCM access token is renewed this long before it expires.
const FCM_TOKEN_MARGIN: Duration = Duration::from_secs(5 * 60);

/// What one push needs to say.
#[derive(Debug, Clone)]
pub struct Content {
    pub message_id: i64,
    pub title: String,
    pub body: String,
    pub deep_link: Option<String>,
    pub image_url: Option<String>,
    pub data: BTreeMap<String, String>,
}

/// What became of one push.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Sent,
    /// The provider says the token will never work again (`unregistered`, `bad_token`).
    Dead {
        reason: &'static str,
        detail: String,
    },
    /// Worth trying again (`rate_limited`, `provider_error`), after `after` when it said.
    Retry {
        reason: &'static str,
        detail: String,
        after: Option<Duration>,
    },
    /// Refused for good (`rejected`, `not_configured`).
    Failed {
        reason: &'static str,
        detail: String,
    },
}

/// A Firebase service account, as its JSON key file holds it.
#[derive(Debug, Clone, Deserialize)]
pub struct ServiceAccount {
    #[serde(rename = "type")]
    pub kind: String,
    pub project_id: String,
    pub private_key_id: String,
    pub private_key: String,
    pub client_email: String,
}

impl ServiceAccount {
    /// Reads and checks a key file; the message names what is wrong.
    pub fn parse(json: &str) -> Result<Self, String> {
        let account: Self = serde_json::from_str(json)
            .map_err(|e| format!("is not a Firebase service account key file ({e})"))?;
        if account.kind != "service_account" {
            return Err("is not a service account key (its type must be service_account)".into());
        }
        if account.project_id.trim().is_empty() || account.client_email.trim().is_empty() {
            return Err("lacks project_id or client_email".into());
        }
        EncodingKey::from_rsa_pem(account.private_key.as_bytes())
            .map_err(|_| "holds no readable RSA private key".to_owned())?;
        Ok(account)
    }
}

/// An APNs signing key with what goes with it.
#[derive(Debug, Clone)]
pub struct ApnsKey {
    pub key_id: String,
    pub team_id: String,
    pub topic: String,
    pub environment: ApnsEnvironment,
    pub private_key: String,
}

/// Whether `pem` is an ES256 key APNs would take (a `.p8` file).
pub fn check_apns_key(pem: &str) -> Result<(), String> {
    EncodingKey::from_ec_pem(pem.as_bytes())
        .map(|_| ())
        .map_err(|_| "is not a .p8 signing key (an EC P-256 private key in PEM)".to_owned())
}

/// An app's usable credentials.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub fcm: Option<ServiceAccount>,
    pub apns: Option<ApnsKey>,
}

pub struct Gateways {
    client: reqwest::Client,
    live: bool,
    fcm_base: String,
    fcm_token_url: String,
    apns_base: String,
    apns_sandbox_base: String,
    /// Access tokens by service account (client email and key id), and when to renew them.
    fcm_tokens: Mutex<HashMap<(String, String), (String, Instant)>>,
    /// Provider tokens by (key id, team id), and when they were made.
    apns_tokens: std::sync::Mutex<HashMap<(String, String), (String, Instant)>>,
}

impl Gateways {
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            // Both providers speak HTTP/2 (APNs nothing else); the local fakes speak it in clear.
            .http2_prior_knowledge()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("MobileBackOffice-Push/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            client,
            live: settings.push_gateway == PushGateway::Live,
            fcm_base: settings.fcm_api_base.trim_end_matches('/').to_owned(),
            fcm_token_url: settings.fcm_token_url.clone(),
            apns_base: settings.apns_api_base.trim_end_matches('/').to_owned(),
            apns_sandbox_base: settings
                .apns_sandbox_api_base
                .trim_end_matches('/')
                .to_owned(),
            fcm_tokens: Mutex::new(HashMap::new()),
            apns_tokens: std::sync::Mutex::new(HashMap::new()),
        })
    }

    pub fn live(&self) -> bool {
        self.live
    }

    /// The gateway a device of `platform` goes through with `credentials`: `fcm`, `apns` or
    /// `log`.
    pub fn name(&self, platform: Option<Platform>, credentials: &Credentials) -> &'static str {
        match (self.live, platform) {
            (true, Some(Platform::Android)) if credentials.fcm.is_some() => "fcm",
            (true, Some(Platform::Ios)) if credentials.apns.is_some() => "apns",
            _ => "log",
        }
    }

    /// Sends `content` to one device.
    pub async fn send(
        &self,
        platform: Option<Platform>,
        token: &str,
        credentials: &Credentials,
        content: &Content,
    ) -> Outcome {
        match (
            self.name(platform, credentials),
            &credentials.fcm,
            &credentials.apns,
        ) {
            ("fcm", Some(account), _) => self.fcm(account, token, content).await,
            ("apns", _, Some(key)) => self.apns(key, token, content).await,
            _ => {
                tracing::info!(
                    target: "push",
                    message = content.message_id,
                    platform = platform.map_or("unknown", Platform::as_str),
                    token = %token.chars().take(12).collect::<String>(),
                    title = %content.title,
                    "push recorded (log gateway: no provider credentials, or PUSH_GATEWAY=log)"
                );
                Outcome::Sent
            }
        }
    }

    async fn fcm_token(&self, account: &ServiceAccount) -> Result<String, Outcome> {
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

    async fn fcm(&self, account: &ServiceAccount, token: &str, content: &Content) -> Outcome {
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

    fn apns_token(&self, key: &ApnsKey, fresh: bool) -> Result<String, Outcome> {
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

    async fn apns(&self, key: &ApnsKey, token: &str, content: &Content) -> Outcome {
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

/// A provider's answer: its status, `Retry-After` and JSON body when it refused; `Err` with the
/// outcome when that is already decided (sent, or no answer at all).
async fn read_answer(
    sent: reqwest::Result<reqwest::Response>,
) -> Result<(reqwest::StatusCode, Option<Duration>, Value), Outcome> {
    let answer = sent.map_err(|e| retry("provider_error", describe(&e), None))?;
    let status = answer.status();
    if status.is_success() {
        // Read to the end: a stream dropped half-read is reset, and a provider that sees
        // thousands of resets closes the connection (h2's `too_many_internal_resets`), failing
        // every push on it that was already accepted.
        let _ = answer.bytes().await;
        return Err(Outcome::Sent);
    }
    let after = retry_after(&answer);
    let body = answer.json().await.unwrap_or(Value::Null);
    Ok((status, after, body))
}

fn retry(reason: &'static str, detail: String, after: Option<Duration>) -> Outcome {
    Outcome::Retry {
        reason,
        detail,
        after,
    }
}

/// `Retry-After` in seconds (both providers send seconds).
fn retry_after(answer: &reqwest::Response) -> Option<Duration> {
    answer
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// A provider's answer, shortened for the delivery record.
fn excerpt(body: &Value) -> String {
    let text = match body {
        Value::Null => String::new(),
        Value::Object(o) if o.contains_key("error") => body["error"]["message"]
            .as_str()
            .map_or_else(|| body["error"].to_string(), str::to_owned),
        Value::Object(o) if o.contains_key("reason") => {
            body["reason"].as_str().unwrap_or_default().to_owned()
        }
        other => other.to_string(),
    };
    text.chars().take(200).collect()
}
