//! One delivery per message and device: made in chunks, claimed by the sender with row locks,
//! marked sent, failed or retried.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::devices::Platform;

use crate::error::StoreResult;
use crate::schema::{devices, push_deliveries};
use crate::DbConn;

#[derive(Debug, Insertable)]
#[diesel(table_name = push_deliveries)]
pub struct NewDelivery {
    pub message_id: i64,
    pub device_id: i64,
    pub status: &'static str,
    pub next_attempt_at: NaiveDateTime,
    pub reason: Option<&'static str>,
    pub created_at: NaiveDateTime,
}

pub fn insert_deliveries(conn: &mut DbConn, rows: &[NewDelivery]) -> StoreResult<()> {
    for chunk in rows.chunks(5000) {
        crate::insert_many!(conn, push_deliveries::table, chunk)?;
    }
    Ok(())
}

/// A claimed delivery with what sending it needs.
#[derive(Debug, Clone, Queryable)]
pub struct Claimed {
    pub id: i64,
    pub message_id: i64,
    pub attempts: i32,
    pub device_id: i64,
    pub app_id: i64,
    pub platform: String,
    pub push_token: Option<String>,
    pub timezone: Option<String>,
}

impl Claimed {
    pub fn platform(&self) -> Option<Platform> {
        self.platform.parse().ok()
    }
}

/// Claims up to `limit` due deliveries (row locks on PostgreSQL: replicas skip them) and holds
/// them for `lease`: a process that dies mid-send leaves them to be claimed again after it.
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
    lease: chrono::Duration,
) -> StoreResult<Vec<Claimed>> {
    macro_rules! due {
        () => {
            push_deliveries::table
                .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "push_deliveries.status = 'pending'",
                ))
                .filter(push_deliveries::next_attempt_at.le(now))
                .order((
                    push_deliveries::next_attempt_at.asc(),
                    push_deliveries::id.asc(),
                ))
                .limit(limit)
                .select(push_deliveries::id)
        };
    }
    let ids: Vec<i64> = match conn {
        DbConn::Postgres(pg) => due!().for_update().skip_locked().load(pg)?,
        DbConn::Sqlite(sqlite) => due!().load(sqlite)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(push_deliveries::table.filter(push_deliveries::id.eq_any(&ids)))
        .set(push_deliveries::next_attempt_at.eq(now + lease))
        .execute(conn)?;
    Ok(push_deliveries::table
        .inner_join(devices::table)
        .filter(push_deliveries::id.eq_any(&ids))
        .order(push_deliveries::id.asc())
        .select((
            push_deliveries::id,
            push_deliveries::message_id,
            push_deliveries::attempts,
            devices::id,
            devices::app_id,
            devices::platform,
            devices::push_token,
            devices::timezone,
        ))
        .load(conn)?)
}

/// Marks deliveries sent (also those canceled while they were on their way: they went out);
/// how many per message.
pub fn mark_sent(
    conn: &mut DbConn,
    ids: &[i64],
    now: NaiveDateTime,
) -> StoreResult<HashMap<i64, i32>> {
    let mut per_message = HashMap::new();
    for chunk in ids.chunks(5000) {
        let done: Vec<i64> = diesel::update(
            push_deliveries::table
                .filter(push_deliveries::id.eq_any(chunk))
                .filter(push_deliveries::status.eq_any(["pending", "canceled"])),
        )
        .set((
            push_deliveries::status.eq("sent"),
            push_deliveries::sent_at.eq(now),
            push_deliveries::attempts.eq(push_deliveries::attempts + 1),
        ))
        .returning(push_deliveries::message_id)
        .get_results(conn)?;
        for message in done {
            *per_message.entry(message).or_insert(0) += 1;
        }
    }
    Ok(per_message)
}

/// Marks one delivery failed for good (unless it was canceled meanwhile); its message, if so.
pub fn mark_failed(
    conn: &mut DbConn,
    id: i64,
    reason: &str,
    error: &str,
) -> StoreResult<Option<i64>> {
    Ok(diesel::update(
        push_deliveries::table
            .filter(push_deliveries::id.eq(id))
            .filter(push_deliveries::status.eq_any(["pending", "canceled"])),
    )
    .set((
        push_deliveries::status.eq("failed"),
        push_deliveries::reason.eq(reason),
        push_deliveries::error.eq(error),
        push_deliveries::attempts.eq(push_deliveries::attempts + 1),
    ))
    .returning(push_deliveries::message_id)
    .get_result(conn)
    .optional()?)
}

/// Tries one delivery again at `at` (an attempt made, when `attempted`).
pub fn retry_at(
    conn: &mut DbConn,
    id: i64,
    at: NaiveDateTime,
    error: Option<&str>,
    attempted: bool,
) -> StoreResult<()> {
    let extra = i32::from(attempted);
    diesel::update(
        push_deliveries::table
            .filter(push_deliveries::id.eq(id))
            .filter(push_deliveries::status.eq("pending")),
    )
    .set((
        push_deliveries::next_attempt_at.eq(at),
        push_deliveries::error.eq(error),
        push_deliveries::attempts.eq(push_deliveries::attempts + extra),
    ))
    .execute(conn)?;
    Ok(())
}

/// The providers called these devices' tokens dead: they are not targeted again until the app
/// registers another token.
pub fn bury_tokens(conn: &mut DbConn, device_ids: &[i64]) -> StoreResult<()> {
    if device_ids.is_empty() {
        return Ok(());
    }
    diesel::update(devices::table.filter(devices::id.eq_any(device_ids)))
        .set(devices::dead_push_token.eq(devices::push_token))
        .execute(conn)?;
    Ok(())
}
