//! The providers a push leaves through: **FCM HTTP v1** (a service account's RS256 JWT traded
//! for an OAuth 2.0 access token, cached until near its expiry; one `messages:send` per device
//! token), **APNs** (an ES256 provider token reused for 40 minutes; `POST /3/device/{token}`),
//! both over HTTP/2, and the **log** gateway that only records what would be sent. Each answer
//! becomes an [`Outcome`]: sent, a dead token, worth retrying (429, 5xx, transport), or refused.

mod apns;
mod fcm;

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use jsonwebtoken::EncodingKey;
use serde::Deserialize;
use serde_json::Value;
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
