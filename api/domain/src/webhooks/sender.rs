//! Delivers queued webhook events: claims due deliveries (row locks on PostgreSQL, so replicas
//! never send one twice), `POST`s them with the Standard Webhooks headers, and records each
//! attempt. Failures are retried on Svix's schedule; a `410 Gone` switches the endpoint off at
//! once, five days of nothing but failures switch it off too, and its owner gets an email.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use futures_util::StreamExt;
use types::webhooks::DisabledReason;

use super::address::{literal_permitted, PublicResolver};
use crate::clock::Clock;
use crate::db::schema::accounts;
use crate::db::webhooks::{Attempt, DeliveryRow, EndpointRow};
use crate::db::{Db, DbConn};
use crate::error::AppResult;
use crate::mailer::{Email, Mailer};
use crate::settings::Settings;

/// Seconds to wait after each failed attempt: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (Svix's
/// schedule), so an event is tried 8 times over about 28 hours.
pub const RETRY_SCHEDULE: [i64; 7] = [5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];

/// An endpoint whose every attempt failed for this long is switched off.
pub const FAILING_DAYS: i64 = 5;

/// How long one attempt may take.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// How much of a failed answer's body is kept in the delivery log.
const KEPT_BODY: usize = 100;

/// Deliveries claimed per round; endpoints served at once; deliveries of one endpoint sent in a
/// round (one after the other: the rest are released for the next round).
const BATCH: i64 = 100;
const CONCURRENCY: usize = 16;
const PER_ENDPOINT: usize = 10;

/// A claimed delivery with its endpoint, its event's type and its body.
type Claimed = (DeliveryRow, EndpointRow, String, String);

/// A claim outlives the slowest attempt: a process that dies mid-send leaves its deliveries to
/// be claimed again after this.
fn lease() -> chrono::Duration {
    chrono::Duration::seconds(PER_ENDPOINT as i64 * TIMEOUT.as_secs() as i64 + 60)
}

/// What a round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub succeeded: usize,
    pub failed: usize,
}

pub struct Sender {
    client: reqwest::Client,
    allow_loopback: bool,
    mailer: Mailer,
}

impl Sender {
    pub fn new(settings: &Settings, mailer: Mailer) -> anyhow::Result<Self> {
        let allow_loopback = settings.webhook_allow_loopback;
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            // A redirect could lead anywhere: 3xx is an answer like any other (a failure).
            .redirect(reqwest::redirect::Policy::none())
            // Through a proxy, the proxy would resolve the name, past the address check.
            .no_proxy()
            .dns_resolver(Arc::new(PublicResolver { allow_loopback }))
            .user_agent(concat!(
                "MobileBackOffice-Webhooks/",
                env!("CARGO_PKG_VERSION")
            ))
            .build()?;
        Ok(Self {
            client,
            allow_loopback,
            mailer,
        })
    }

    /// Sends due deliveries every `period` until the server stops.
    pub async fn run(self: Arc<Self>, db: Db, clock: Clock, period: Duration) {
        let mut tick = tokio::time::interval(period);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match self.deliver_due(&db, &clock).await {
                Ok(report) if report == Report::default() => {}
                Ok(report) => tracing::debug!(?report, "webhooks delivered"),
                Err(e) => tracing::warn!(error = %e, "webhook delivery round failed; will retry"),
            }
        }
    }

    /// Sends every delivery due at the clock's now, round after round until none is left.
    pub async fn deliver_due(&self, db: &Db, clock: &Clock) -> AppResult<Report> {
        let mut report = Report::default();
        loop {
            let now = clock.now();
            // A transaction that writes from its start (`IMMEDIATE` on SQLite), so two senders
            // never both read the same due rows.
            let claimed = db
                .transaction(move |conn| {
                    let ids = DeliveryRow::claim_due(conn, now, BATCH, lease())?;
                    Ok(DeliveryRow::load_claimed(conn, &ids)?)
                })
                .await?;
            if claimed.is_empty() {
                return Ok(report);
            }
            let full = claimed.len() as i64 == BATCH;
            // One endpoint's deliveries go one after the other, in the order of their events;
            // endpoints are served side by side.
            let mut by_endpoint: Vec<Vec<Claimed>> = Vec::new();
            for item in claimed {
                match by_endpoint.iter_mut().find(|g| g[0].1.id == item.1.id) {
                    Some(group) => group.push(item),
                    None => by_endpoint.push(vec![item]),
                }
            }
            let mut released = Vec::new();
            for group in &mut by_endpoint {
                if group.len() > PER_ENDPOINT {
                    released.extend(group.drain(PER_ENDPOINT..).map(|c| c.0.id));
                }
            }
            let rounds: Vec<Vec<(DeliveryRow, EndpointRow, Attempt, bool)>> =
                futures_util::stream::iter(by_endpoint)
                    .map(|group| self.send_group(group, now))
                    .buffer_unordered(CONCURRENCY)
                    .collect()
                    .await;
            let attempts: Vec<_> = rounds.into_iter().flatten().collect();
            for (_, _, attempt, _) in &attempts {
                if attempt.retry_at.is_none() {
                    report.succeeded += 1;
                } else {
                    report.failed += 1;
                }
            }
            // The round's outcomes, and what it gives back, in one transaction.
            let more = full || !released.is_empty();
            let mailer = self.mailer.clone();
            db.transaction(move |conn| {
                for (delivery, endpoint, attempt, gone) in &attempts {
                    record(conn, &mailer, delivery, endpoint, attempt, *gone)?;
                }
                Ok(DeliveryRow::release(conn, &released, now)?)
            })
            .await?;
            if !more {
                return Ok(report);
            }
        }
    }

    /// Sends one endpoint's deliveries in turn, stopping at its first failure: the rest stay
    /// claimed until the lease ends, and are tried then.
    async fn send_group(
        &self,
        group: Vec<Claimed>,
        now: NaiveDateTime,
    ) -> Vec<(DeliveryRow, EndpointRow, Attempt, bool)> {
        let mut done = Vec::with_capacity(group.len());
        for (delivery, endpoint, _, payload) in group {
            let (attempt, gone) = self.attempt(&delivery, &endpoint, &payload, now).await;
            let failed = attempt.retry_at.is_some();
            done.push((delivery, endpoint, attempt, gone));
            if failed {
                break;
            }
        }
        done
    }

    /// One attempt; whether the endpoint answered `410 Gone`.
    async fn attempt(
        &self,
        delivery: &DeliveryRow,
        endpoint: &EndpointRow,
        payload: &str,
        now: NaiveDateTime,
    ) -> (Attempt, bool) {
        // The header is the real time of sending, which receivers compare with their clocks.
        let timestamp = crate::clock::system_time().timestamp();
        let signatures: Vec<String> = endpoint
            .signing_secrets(now)
            .into_iter()
            .map(|secret| super::sign(secret, &delivery.event_id, timestamp, payload))
            .collect();
        let started = Instant::now();
        let outcome = match reqwest::Url::parse(&endpoint.url) {
            Ok(url) if literal_permitted(&url, self.allow_loopback) => {
                self.client
                    .post(url)
                    .header("content-type", "application/json")
                    .header("webhook-id", &delivery.event_id)
                    .header("webhook-timestamp", timestamp.to_string())
                    .header("webhook-signature", signatures.join(" "))
                    .body(payload.to_owned())
                    .send()
                    .await
            }
            _ => {
                let attempt = failed_attempt(
                    delivery,
                    now,
                    None,
                    0,
                    "refused: not a public address".into(),
                );
                return (attempt, false);
            }
        };
        let elapsed = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        match outcome {
            Ok(response) if response.status().is_success() => (
                Attempt {
                    at: now,
                    response_status: Some(i32::from(response.status().as_u16())),
                    response_ms: elapsed,
                    error: None,
                    retry_at: None,
                },
                false,
            ),
            Ok(response) => {
                let status = response.status();
                let body = response.text().await.unwrap_or_default();
                let mut error = format!("HTTP {}", status.as_u16());
                let excerpt: String = body.trim().chars().take(KEPT_BODY).collect();
                if !excerpt.is_empty() {
                    error = format!("{error}: {excerpt}");
                }
                let gone = status == reqwest::StatusCode::GONE;
                let status = Some(i32::from(status.as_u16()));
                (failed_attempt(delivery, now, status, elapsed, error), gone)
            }
            Err(e) => (
                failed_attempt(delivery, now, None, elapsed, describe(&e)),
                false,
            ),
        }
    }
}

/// A failed attempt, retried on the schedule while attempts remain.
fn failed_attempt(
    delivery: &DeliveryRow,
    now: NaiveDateTime,
    response_status: Option<i32>,
    response_ms: i32,
    error: String,
) -> Attempt {
    let made = usize::try_from(delivery.attempts).unwrap_or(0);
    let retry_at = RETRY_SCHEDULE
        .get(made)
        .map(|secs| now + chrono::Duration::seconds(*secs));
    Attempt {
        at: now,
        response_status,
        response_ms,
        error: Some(error),
        retry_at: Some(retry_at),
    }
}

/// A transport error in a few words (reqwest's display names the URL, which the log shows).
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    let mut detail = None;
    while let Some(s) = source {
        detail = Some(s.to_string());
        source = s.source();
    }
    match detail {
        Some(detail) => format!("{kind}: {detail}"),
        None => kind.to_owned(),
    }
}

/// Records `attempt`, and switches the endpoint off when it said it is gone or failed for days.
fn record(
    conn: &mut DbConn,
    mailer: &Mailer,
    delivery: &DeliveryRow,
    endpoint: &EndpointRow,
    attempt: &Attempt,
    gone: bool,
) -> AppResult<()> {
    DeliveryRow::record(conn, delivery.id, attempt)?;
    if attempt.retry_at.is_none() {
        return Ok(EndpointRow::succeeded(conn, endpoint.id)?);
    }
    EndpointRow::failed_since(conn, endpoint.id, attempt.at)?;
    let failing_since = endpoint.failing_since.unwrap_or(attempt.at);
    let reason = if gone {
        DisabledReason::Gone
    } else if attempt.at - failing_since >= chrono::Duration::days(FAILING_DAYS) {
        DisabledReason::Failing
    } else {
        return Ok(());
    };
    if EndpointRow::switch_off(conn, endpoint.id, reason, attempt.at)? {
        tell_owner(conn, mailer, endpoint, reason)?;
    }
    Ok(())
}

fn tell_owner(
    conn: &mut DbConn,
    mailer: &Mailer,
    endpoint: &EndpointRow,
    reason: DisabledReason,
) -> AppResult<()> {
    use diesel::prelude::*;
    let (email, first_name): (String, String) = accounts::table
        .find(endpoint.account_id)
        .select((accounts::email, accounts::first_name))
        .first(conn)?;
    let why = match reason {
        DisabledReason::Gone => {
            "it answered 410 Gone, which means it no longer wants events".to_owned()
        }
        DisabledReason::Failing => {
            format!("every delivery to it has failed for {FAILING_DAYS} days")
        }
    };
    let text = format!(
        "We stopped sending events to your webhook endpoint {url}: {why}. Events that were \
         waiting for it are marked failed and can be sent again from its delivery log once it \
         is fixed and enabled again.",
        url = endpoint.url
    );
    mailer.enqueue(
        conn,
        &email,
        &Email::Webhooks {
            name: &first_name,
            subject: "A webhook endpoint was disabled",
            text: &text,
        },
    )?;
    Ok(())
}
