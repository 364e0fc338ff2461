//! The push sender, a job of the api process: starts scheduled messages whose time has come,
//! fans sending messages out into deliveries, and sends due deliveries through the gateways —
//! many at once over HTTP/2 — recording each outcome. Work is claimed with row locks
//! (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's single writer elsewhere), so any number of
//! replicas can run it and no device gets a message twice.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use futures_util::StreamExt;
use types::push::PushStatus;

use super::gateway::{Content, Credentials, Outcome};
use super::{after_quiet_hours, quiet_hours, zone, Push};
use crate::clock::Clock;
use crate::db::push::{self as db, Claimed, MessageRow, SettingsRow};
use crate::db::Db;
use crate::error::AppResult;

/// Deliveries claimed per round, and sent at once.
const BATCH: i64 = 1000;
const CONCURRENCY: usize = 200;

/// Attempts before a delivery that keeps meeting 429 / 5xx fails for good.
pub const MAX_ATTEMPTS: i32 = 5;

/// The longest `Retry-After` honoured (a longer one is cut to this).
const LONGEST_WAIT: i64 = 3600;

/// A claim outlives a round: a process that dies mid-send leaves its deliveries to be claimed
/// again after this.
fn lease() -> chrono::Duration {
    chrono::Duration::seconds(120)
}

/// The wait before attempt `n + 1` when the provider named none: 1 s, 2 s, 4 s, 8 s…
fn backoff(attempts: i32) -> chrono::Duration {
    chrono::Duration::seconds(1_i64 << attempts.clamp(0, 12))
}

/// What a run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub started: usize,
    pub sent: usize,
    pub failed: usize,
    pub retried: usize,
    pub held: usize,
}

impl Report {
    fn busy(&self) -> bool {
        *self != Self::default()
    }
}

/// Sender loops per process: while one waits for the database, the other sends.
const LOOPS: usize = 2;

/// Runs the sender until the server stops: at once when woken, else every `period`.
pub async fn run(push: Arc<Push>, db: Db, clock: Clock, period: Duration) {
    for _ in 1..LOOPS {
        tokio::spawn(one_loop(push.clone(), db.clone(), clock.clone(), period));
    }
    one_loop(push, db, clock, period).await;
}

async fn one_loop(push: Arc<Push>, db: Db, clock: Clock, period: Duration) {
    loop {
        match send_due(&push, &db, &clock).await {
            Ok(report) if report.busy() => tracing::debug!(?report, "pushes sent"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "push round failed; will retry"),
        }
        tokio::select! {
            () = push.wake.notified() => push.wake.notify_waiters(),
            () = tokio::time::sleep(period) => {}
        }
    }
}

/// Does everything due at the clock's now: starts scheduled messages, fans out, sends, round
/// after round until nothing is left.
pub async fn send_due(push: &Push, db: &Db, clock: &Clock) -> AppResult<Report> {
    let mut report = Report::default();
    loop {
        let now = clock.now();
        let started = db
            .transaction(move |conn| {
                let ids = MessageRow::claim_due(conn, now, 20)?;
                for id in &ids {
                    MessageRow::transition(
                        conn,
                        *id,
                        &[PushStatus::Scheduled],
                        PushStatus::Sending,
                        now,
                    )?;
                }
                Ok(ids.len())
            })
            .await?;
        report.started += started;
        // One fan-out chunk, then one batch of deliveries: the first pushes of a large message
        // leave while the rest of it is still being made.
        let fanned = db
            .transaction(move |conn| match MessageRow::claim_fanout(conn)? {
                Some(msg) => super::fan_out_chunk(conn, &msg, now).map(|_| true),
                None => Ok(false),
            })
            .await?;
        let round = send_batch(push, db, now).await?;
        report.sent += round.sent;
        report.failed += round.failed;
        report.retried += round.retried;
        report.held += round.held;
        if started == 0 && !fanned && !round.busy() {
            return Ok(report);
        }
    }
}

/// What became of one claimed delivery.
enum Done {
    Sent(i64),
    /// Failed for good: delivery, reason, detail, and whether the token is dead.
    Failed(i64, &'static str, String, Option<i64>),
    Retry(i64, NaiveDateTime, String, bool),
}

async fn send_batch(push: &Push, db: &Db, now: NaiveDateTime) -> AppResult<Report> {
    let (claimed, messages, settings) = db
        .transaction(move |conn| {
            let claimed = db::claim_due(conn, now, BATCH, lease())?;
            let mut message_ids: Vec<i64> = claimed.iter().map(|c| c.message_id).collect();
            message_ids.sort_unstable();
            message_ids.dedup();
            let messages = MessageRow::by_ids(conn, &message_ids)?;
            let mut app_ids: Vec<i64> = messages.iter().map(|m| m.app_id).collect();
            app_ids.sort_unstable();
            app_ids.dedup();
            let settings = SettingsRow::of_apps(conn, &app_ids)?;
            Ok((claimed, messages, settings))
        })
        .await?;
    let mut report = Report::default();
    if claimed.is_empty() {
        return Ok(report);
    }
    let contents: HashMap<i64, Content> = messages
        .iter()
        .map(|m| {
            (
                m.id,
                Content {
                    message_id: m.id,
                    title: m.title.clone(),
                    body: m.body.clone(),
                    deep_link: m.deep_link.clone(),
                    image_url: m.image_url.clone(),
                    data: m.data().unwrap_or_default(),
                },
            )
        })
        .collect();
    let credentials: HashMap<i64, Credentials> = settings
        .iter()
        .map(|(app, row)| (*app, push.credentials(row)))
        .collect();
    let no_credentials = Credentials::default();
    let mut held = Vec::new();
    let mut to_send = Vec::new();
    for delivery in claimed {
        // Quiet hours in the device's own zone hold a delivery until they end.
        let quiet = settings.get(&delivery.app_id).and_then(quiet_hours);
        match quiet.and_then(|q| after_quiet_hours(now, zone(delivery.timezone.as_deref()), q)) {
            Some(until) => held.push((delivery.id, until)),
            None => to_send.push(delivery),
        }
    }
    report.held = held.len();
    let outcomes: Vec<Done> = futures_util::stream::iter(to_send)
        .map(|delivery: Claimed| {
            let content = contents.get(&delivery.message_id);
            let creds = credentials.get(&delivery.app_id).unwrap_or(&no_credentials);
            async move {
                let Some(content) = content else {
                    return Done::Failed(delivery.id, "rejected", "message gone".into(), None);
                };
                let Some(token) = delivery.push_token.as_deref() else {
                    return Done::Failed(
                        delivery.id,
                        "unregistered",
                        "the device has no push token now".into(),
                        None,
                    );
                };
                let outcome = push
                    .gateways
                    .send(delivery.platform(), token, creds, content)
                    .await;
                settle(&delivery, outcome, now)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    for done in &outcomes {
        match done {
            Done::Sent(_) => report.sent += 1,
            Done::Failed(..) => report.failed += 1,
            Done::Retry(..) => report.retried += 1,
        }
    }
    let touched: Vec<i64> = messages.iter().map(|m| m.id).collect();
    db.transaction(move |conn| record(conn, &outcomes, &held, &touched, now))
        .await?;
    Ok(report)
}

/// An outcome as what to record: a retry while attempts remain, else a failure.
fn settle(delivery: &Claimed, outcome: Outcome, now: NaiveDateTime) -> Done {
    match outcome {
        Outcome::Sent => Done::Sent(delivery.id),
        Outcome::Dead { reason, detail } => {
            Done::Failed(delivery.id, reason, detail, Some(delivery.device_id))
        }
        Outcome::Failed { reason, detail } => Done::Failed(delivery.id, reason, detail, None),
        Outcome::Retry {
            reason,
            detail,
            after,
        } => {
            let made = delivery.attempts + 1;
            if made >= MAX_ATTEMPTS {
                return Done::Failed(delivery.id, reason, detail, None);
            }
            let wait = after
                .map(|d| {
                    let secs = i64::try_from(d.as_secs()).unwrap_or(LONGEST_WAIT);
                    chrono::Duration::seconds(secs.clamp(1, LONGEST_WAIT))
                })
                .unwrap_or_else(|| backoff(delivery.attempts));
            Done::Retry(delivery.id, now + wait, detail, true)
        }
    }
}

/// Records a round in one transaction: deliveries sent, failed (burying dead tokens), retried
/// and held; the messages' figures; messages with nothing left become sent.
fn record(
    conn: &mut crate::db::DbConn,
    outcomes: &[Done],
    held: &[(i64, NaiveDateTime)],
    messages: &[i64],
    now: NaiveDateTime,
) -> AppResult<()> {
    let sent: Vec<i64> = outcomes
        .iter()
        .filter_map(|d| match d {
            Done::Sent(id) => Some(*id),
            _ => None,
        })
        .collect();
    let mut figures: BTreeMap<i64, (i32, i32)> = BTreeMap::new();
    for (message, n) in db::mark_sent(conn, &sent, now)? {
        figures.entry(message).or_default().0 += n;
    }
    let mut dead = Vec::new();
    for done in outcomes {
        match done {
            Done::Failed(id, reason, detail, device) => {
                if let Some(message) = db::mark_failed(conn, *id, reason, detail)? {
                    figures.entry(message).or_default().1 += 1;
                }
                dead.extend(device);
            }
            Done::Retry(id, at, detail, attempted) => {
                db::retry_at(conn, *id, *at, Some(detail), *attempted)?;
            }
            Done::Sent(_) => {}
        }
    }
    for (id, until) in held {
        db::retry_at(conn, *id, *until, None, false)?;
    }
    db::bury_tokens(conn, &dead)?;
    for (message, (sent, failed)) in &figures {
        MessageRow::count(conn, *message, *sent, *failed)?;
    }
    for message in messages {
        super::finish_if_done(conn, *message, now)?;
    }
    Ok(())
}
