//! Idempotency-Key records: the first answer to a key is kept (at least 24 hours) and replayed
//! to a retry of the same request. A key is taken in the transaction of the work it guards, so
//! it exists exactly when that work committed: a request that died left nothing behind, and a
//! retry arriving while the first is still running waits for it (PostgreSQL's unique index,
//! SQLite's write lock) and then replays its answer.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::DbConn;
use crate::error::{StoreError, StoreResult};

/// How long a key is remembered.
pub const KEEP: Duration = Duration::hours(24);

/// What the first request with a key left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or forgotten): run the request and `complete` this record.
    New(i64),
    /// The request already ran: answer as it was answered.
    Replay(Answer),
    /// The key was taken by another request (method, path or body): refuse this one.
    Reused,
}

/// An answer as it is kept: status, the headers worth replaying (`ETag`, `Location`), body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
struct KeyRow {
    id: i64,
    request_hash: String,
    response_status: Option<i32>,
    response_headers: Option<String>,
    response_body: Option<String>,
    completed_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

/// Takes `key` for a request of `account` hashing to `hash`, in the transaction of the request's
/// work; 422 `idempotency_key_reused` when the key came with another request.
pub fn claim(
    conn: &mut DbConn,
    account: i64,
    key: &str,
    hash: &str,
    now: NaiveDateTime,
) -> StoreResult<Claim> {
    // A macro, not a value: the upsert is typed by the backend it runs on.
    macro_rules! insert {
        () => {
            diesel::insert_into(idempotency_keys::table)
                .values((
                    idempotency_keys::account_id.eq(account),
                    idempotency_keys::idem_key.eq(key),
                    idempotency_keys::request_hash.eq(hash),
                    idempotency_keys::created_at.eq(now),
                ))
                .on_conflict((idempotency_keys::account_id, idempotency_keys::idem_key))
                .do_nothing()
                .returning(idempotency_keys::id)
        };
    }
    let inserted: Option<i64> = match conn {
        DbConn::Postgres(pg) => insert!().get_result(pg).optional()?,
        DbConn::Sqlite(sqlite) => insert!().get_result(sqlite).optional()?,
    };
    if let Some(id) = inserted {
        return Ok(Claim::New(id));
    }
    let row: KeyRow = idempotency_keys::table
        .filter(idempotency_keys::account_id.eq(account))
        .filter(idempotency_keys::idem_key.eq(key))
        .select(KeyRow::as_select())
        .first(conn)?;
    // A key is completed in the transaction that took it; one that is not was left by a version
    // that took keys on their own, by a request that died: it may be taken over.
    let forgotten = row.created_at + KEEP < now;
    if forgotten || row.completed_at.is_none() {
        diesel::update(idempotency_keys::table.find(row.id))
            .set((
                idempotency_keys::request_hash.eq(hash),
                idempotency_keys::response_status.eq(None::<i32>),
                idempotency_keys::response_body.eq(None::<String>),
                idempotency_keys::response_headers.eq(None::<String>),
                idempotency_keys::completed_at.eq(None::<NaiveDateTime>),
                idempotency_keys::created_at.eq(now),
            ))
            .execute(conn)?;
        return Ok(Claim::New(row.id));
    }
    if row.request_hash != hash {
        return Ok(Claim::Reused);
    }
    let status = row.response_status.and_then(|s| u16::try_from(s).ok());
    let headers = row
        .response_headers
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .map_err(StoreError::corrupt)?
        .unwrap_or_default();
    Ok(Claim::Replay(Answer {
        status: status.unwrap_or(500),
        headers,
        body: row.response_body.unwrap_or_default(),
    }))
}

/// Keeps the answer, in the transaction of the work it answers.
pub fn complete(
    conn: &mut DbConn,
    id: i64,
    answer: &Answer,
    now: NaiveDateTime,
) -> StoreResult<()> {
    let headers = serde_json::to_string(&answer.headers).map_err(StoreError::corrupt)?;
    diesel::update(idempotency_keys::table.find(id))
        .set((
            idempotency_keys::response_status.eq(i32::from(answer.status)),
            idempotency_keys::response_headers.eq(headers),
            idempotency_keys::response_body.eq(&answer.body),
            idempotency_keys::completed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets keys older than [`KEEP`].
pub fn purge(conn: &mut DbConn, now: NaiveDateTime) -> StoreResult<usize> {
    Ok(
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(now - KEEP)))
            .execute(conn)?,
    )
}
