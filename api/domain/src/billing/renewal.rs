//! The renewal job: bills the periods that have ended, retries failed charges on their schedule,
//! expires unpaid new subscriptions and forgets old idempotency keys. It runs in every api
//! process; each subscription is handled in its own transaction with its row locked (`FOR
//! UPDATE SKIP LOCKED` on PostgreSQL), so replicas share the work and never bill twice.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;

use super::{renew, retry, Billing, INCOMPLETE_FOR};
use crate::clock::Clock;
use crate::db::invoices::InvoiceRow;
use crate::db::subscriptions::SubscriptionRow;
use crate::db::{idempotency, write_transaction, Db, DbConn};
use crate::error::AppResult;

/// How often the job looks for work.
pub const PERIOD: Duration = Duration::from_secs(30);

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    /// Subscriptions rolled (renewed, ended or expired).
    pub rolled: usize,
    /// Failed charges tried again.
    pub retried: usize,
}

/// Does all the work due at `now`. Each list is walked once in order (a keyset), so a run costs
/// in proportion to the work it does; a subscription catching up several periods is met again
/// further along.
pub fn run_due(conn: &mut DbConn, billing: &Billing, now: NaiveDateTime) -> AppResult<Report> {
    let mut report = Report::default();
    let mut after = None;
    while let Some(sub) = write_transaction(conn, |conn| -> AppResult<_> {
        let Some(sub) = SubscriptionRow::claim_ended(conn, now, after)? else {
            return Ok(None);
        };
        renew(conn, billing, &sub, now)?;
        Ok(Some(sub))
    })? {
        after = Some((sub.current_period_end, sub.id));
        report.rolled += 1;
    }
    let mut after = None;
    while let Some(sub) = write_transaction(conn, |conn| -> AppResult<_> {
        let Some(sub) = SubscriptionRow::claim_unpaid(conn, now - INCOMPLETE_FOR, after)? else {
            return Ok(None);
        };
        renew(conn, billing, &sub, now)?;
        Ok(Some(sub))
    })? {
        after = Some((sub.created_at, sub.id));
        report.rolled += 1;
    }
    let mut after = None;
    while let Some((sub, invoice, at)) = InvoiceRow::next_due(conn, now, after)? {
        write_transaction(conn, |conn| retry(conn, billing, (sub, invoice), now))?;
        after = Some((at, invoice));
        report.retried += 1;
    }
    write_transaction(conn, |conn| idempotency::purge(conn, now))?;
    Ok(report)
}

/// Runs [`run_due`] every [`PERIOD`] until the server stops.
pub async fn run(db: Db, clock: Clock, billing: Arc<Billing>) {
    let mut ticker = tokio::time::interval(PERIOD);
    loop {
        ticker.tick().await;
        let now = clock.now();
        let billing = billing.clone();
        match db.run(move |conn| run_due(conn, &billing, now)).await {
            Ok(report) if report == Report::default() => {}
            Ok(report) => tracing::info!(?report, "billing: renewals and retries done"),
            Err(e) => tracing::warn!(error = %e, "billing run failed; will retry"),
        }
    }
}
