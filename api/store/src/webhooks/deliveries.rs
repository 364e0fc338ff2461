//! Deliveries: one per event and endpoint, claimed with row locks, attempted with backoff, and the
//! attempts kept.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::webhooks::{DeliveryStatus, WebhookDelivery};

use super::super::page::Paging;
use super::super::schema::{webhook_deliveries, webhook_endpoints, webhook_events};
use super::super::stored::Stored;
use super::super::{utc, DbConn};
use super::EndpointRow;
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: String,
    #[diesel(deserialize_as = Stored<DeliveryStatus>)]
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub response_status: Option<i32>,
    pub response_ms: Option<i32>,
    pub error: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A delivery with its event's type and body.
pub type DeliveryWithEvent = (DeliveryRow, String, String);

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub at: NaiveDateTime,
    pub response_status: Option<i32>,
    pub response_ms: i32,
    pub error: Option<String>,
    /// `None`: it succeeded; else when to try again (`None` inside: given up).
    pub retry_at: Option<Option<NaiveDateTime>>,
}

impl DeliveryRow {
    pub fn to_wire((row, event_type, payload): &DeliveryWithEvent) -> WebhookDelivery {
        WebhookDelivery {
            id: row.id.to_string(),
            event_id: row.event_id.clone(),
            event_type: event_type.clone(),
            status: row.status,
            attempts: row.attempts,
            last_attempt_at: row.last_attempt_at.map(utc),
            response_status: row.response_status,
            response_ms: row.response_ms,
            error: row.error.clone(),
            next_attempt_at: (row.status == DeliveryStatus::Pending)
                .then(|| utc(row.next_attempt_at)),
            payload: serde_json::from_str(payload).unwrap_or(serde_json::Value::Null),
            created_at: utc(row.created_at),
        }
    }

    /// Stores an event and queues it for each of `endpoints`.
    pub fn queue(
        conn: &mut DbConn,
        event_id: &str,
        event_type: &str,
        payload: &str,
        endpoints: &[i64],
    ) -> StoreResult<()> {
        let now = crate::clock::now();
        diesel::insert_into(webhook_events::table)
            .values((
                webhook_events::id.eq(event_id),
                webhook_events::event_type.eq(event_type),
                webhook_events::payload.eq(payload),
                webhook_events::created_at.eq(now),
            ))
            .execute(conn)?;
        let rows: Vec<_> = endpoints
            .iter()
            .map(|endpoint| {
                (
                    webhook_deliveries::endpoint_id.eq(*endpoint),
                    webhook_deliveries::event_id.eq(event_id),
                    webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
                    webhook_deliveries::next_attempt_at.eq(now),
                    webhook_deliveries::created_at.eq(now),
                )
            })
            .collect();
        crate::insert_many!(conn, webhook_deliveries::table, &rows)?;
        Ok(())
    }

    /// The delivery `id` of `endpoint`, with its event; another endpoint's is a 404.
    pub fn find(conn: &mut DbConn, endpoint: i64, id: i64) -> StoreResult<DeliveryWithEvent> {
        webhook_deliveries::table
            .inner_join(webhook_events::table)
            .filter(webhook_deliveries::endpoint_id.eq(endpoint))
            .filter(webhook_deliveries::id.eq(id))
            .select((
                Self::as_select(),
                webhook_events::event_type,
                webhook_events::payload,
            ))
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    /// The newest deliveries of `endpoint` first.
    pub fn list(
        conn: &mut DbConn,
        endpoint: i64,
        status: Option<DeliveryStatus>,
        paging: &Paging<i64>,
    ) -> StoreResult<(Vec<DeliveryWithEvent>, i64)> {
        let build = || {
            let mut q = webhook_deliveries::table
                .inner_join(webhook_events::table)
                .filter(webhook_deliveries::endpoint_id.eq(endpoint))
                .into_boxed();
            if let Some(status) = status {
                q = q.filter(webhook_deliveries::status.eq(status.as_str()));
            }
            q
        };
        let total = build().count().get_result(conn)?;
        let mut query = build();
        if let Some(after) = paging.after {
            query = query.filter(webhook_deliveries::id.lt(after));
        }
        let rows = query
            .order(webhook_deliveries::id.desc())
            .limit(paging.limit)
            .offset(paging.offset)
            .select((
                Self::as_select(),
                webhook_events::event_type,
                webhook_events::payload,
            ))
            .load(conn)?;
        Ok((rows, total))
    }

    /// The delivery of `event` to `endpoint`.
    pub fn id_of(conn: &mut DbConn, endpoint: i64, event: &str) -> StoreResult<i64> {
        Ok(webhook_deliveries::table
            .filter(webhook_deliveries::endpoint_id.eq(endpoint))
            .filter(webhook_deliveries::event_id.eq(event))
            .select(webhook_deliveries::id)
            .first(conn)?)
    }

    /// Queues the delivery again, due at `now` (a redelivery of one that succeeded, too).
    pub fn requeue(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> StoreResult<()> {
        diesel::update(webhook_deliveries::table.find(id))
            .set((
                webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
                webhook_deliveries::next_attempt_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Claims up to `limit` due deliveries of enabled endpoints by moving their next attempt
    /// `lease` later (a process that dies mid-send leaves them to be claimed again then). On
    /// PostgreSQL the rows are locked with `FOR UPDATE SKIP LOCKED`: replicas never claim the
    /// same delivery. Run it in the caller's transaction.
    pub fn claim_due(
        conn: &mut DbConn,
        now: NaiveDateTime,
        limit: i64,
        lease: chrono::Duration,
    ) -> StoreResult<Vec<i64>> {
        let enabled = webhook_endpoints::table
            .filter(webhook_endpoints::enabled.eq(true))
            .select(webhook_endpoints::id);
        // A macro, not a value: the boxed-free query is typed by the backend it loads on.
        macro_rules! due {
            () => {
                webhook_deliveries::table
                    .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                        "webhook_deliveries.status = 'pending'",
                    ))
                    .filter(webhook_deliveries::next_attempt_at.le(now))
                    .filter(webhook_deliveries::endpoint_id.eq_any(enabled))
                    .order((
                        webhook_deliveries::next_attempt_at.asc(),
                        webhook_deliveries::id.asc(),
                    ))
                    .limit(limit)
                    .select(webhook_deliveries::id)
            };
        }
        let ids: Vec<i64> = match conn {
            DbConn::Postgres(pg) => due!().for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(sqlite) => due!().load(sqlite)?,
        };
        if ids.is_empty() {
            return Ok(ids);
        }
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
            .set(webhook_deliveries::next_attempt_at.eq(now + lease))
            .execute(conn)?;
        Ok(ids)
    }

    /// Gives claimed deliveries back, due at `now`.
    pub fn release(conn: &mut DbConn, ids: &[i64], now: NaiveDateTime) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::id.eq_any(ids))
                .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str())),
        )
        .set(webhook_deliveries::next_attempt_at.eq(now))
        .execute(conn)?;
        Ok(())
    }

    /// What the sender needs of claimed deliveries: each with its endpoint and its event's
    /// type and body.
    pub fn load_claimed(
        conn: &mut DbConn,
        ids: &[i64],
    ) -> StoreResult<Vec<(Self, EndpointRow, String, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(webhook_deliveries::table
            .inner_join(webhook_endpoints::table)
            .inner_join(webhook_events::table)
            .filter(webhook_deliveries::id.eq_any(ids))
            .order(webhook_deliveries::id.asc())
            .select((
                Self::as_select(),
                EndpointRow::as_select(),
                webhook_events::event_type,
                webhook_events::payload,
            ))
            .load(conn)?)
    }

    /// Records an attempt's outcome.
    pub fn record(conn: &mut DbConn, id: i64, attempt: &Attempt) -> StoreResult<()> {
        let (status, next) = match attempt.retry_at {
            None => (DeliveryStatus::Succeeded, attempt.at),
            Some(Some(at)) => (DeliveryStatus::Pending, at),
            Some(None) => (DeliveryStatus::Failed, attempt.at),
        };
        diesel::update(webhook_deliveries::table.find(id))
            .set((
                webhook_deliveries::status.eq(status.as_str()),
                webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
                webhook_deliveries::next_attempt_at.eq(next),
                webhook_deliveries::last_attempt_at.eq(attempt.at),
                webhook_deliveries::response_status.eq(attempt.response_status),
                webhook_deliveries::response_ms.eq(attempt.response_ms),
                webhook_deliveries::error.eq(attempt.error.as_deref()),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Fails every pending delivery of `endpoint` with `reason`.
    pub fn fail_pending(conn: &mut DbConn, endpoint: i64, reason: &str) -> StoreResult<()> {
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::endpoint_id.eq(endpoint))
                .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str())),
        )
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Failed.as_str()),
            webhook_deliveries::error.eq(reason),
        ))
        .execute(conn)?;
        Ok(())
    }
}
