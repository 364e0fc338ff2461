//! Idempotency-Key records: the first answer to a key is kept (at least 24 hours) and replayed
//! to a retry of the same request.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::schema::idempotency_keys;
use super::DbConn;
use crate::error::{AppError, AppResult};

/// How long a key is remembered.
pub const KEEP: Duration = Duration::hours(24);
/// A key in flight longer than this belongs to a request that died (its work rolled back with
/// it): a retry may take the key over.
pub const ABANDONED_AFTER: Duration = Duration::minutes(2);

/// What the first request with a key left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new (or forgotten): run the request and `complete` this record.
    New(i64),
    /// The request already ran: answer as it was answered.
    Replay { status: u16, body: String },
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idempotency_keys)]
struct KeyRow {
    id: i64,
    request_hash: String,
    response_status: Option<i32>,
    response_body: Option<String>,
    completed_at: Option<NaiveDateTime>,
    created_at: NaiveDateTime,
}

/// Takes `key` for a request of `account` hashing to `hash`, in its own short transaction so
/// that a concurrent request with the key sees it at once: 409 `idempotency_key_in_use` while
/// the first is in flight, 422 `idempotency_key_reused` for another request.
pub fn claim(
    conn: &mut DbConn,
    account: i64,
    key: &str,
    hash: &str,
    now: NaiveDateTime,
) -> AppResult<Claim> {
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
    let forgotten = row.created_at + KEEP < now;
    let abandoned = row.completed_at.is_none() && row.created_at + ABANDONED_AFTER < now;
    if forgotten || abandoned {
        diesel::update(idempotency_keys::table.find(row.id))
            .set((
                idempotency_keys::request_hash.eq(hash),
                idempotency_keys::response_status.eq(None::<i32>),
                idempotency_keys::response_body.eq(None::<String>),
                idempotency_keys::completed_at.eq(None::<NaiveDateTime>),
                idempotency_keys::created_at.eq(now),
            ))
            .execute(conn)?;
        return Ok(Claim::New(row.id));
    }
    if row.request_hash != hash {
        return Err(AppError::new(
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency_key_reused",
            "This Idempotency-Key was used with another request (method, path or body). Use a new key for a new request.",
        ));
    }
    match (row.completed_at, row.response_status, row.response_body) {
        (Some(_), Some(status), Some(body)) => Ok(Claim::Replay {
            status: u16::try_from(status).unwrap_or(500),
            body,
        }),
        _ => Err(AppError::conflict(
            "idempotency_key_in_use",
            "A request with this Idempotency-Key is still in progress. Retry once it has finished.",
        )),
    }
}

/// Keeps the answer, in the transaction of the work it answers.
pub fn complete(
    conn: &mut DbConn,
    id: i64,
    status: u16,
    body: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    diesel::update(idempotency_keys::table.find(id))
        .set((
            idempotency_keys::response_status.eq(i32::from(status)),
            idempotency_keys::response_body.eq(body),
            idempotency_keys::completed_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Forgets a key whose request failed before doing anything (its work rolled back), so that a
/// retry runs again.
pub fn release(conn: &mut DbConn, id: i64) -> AppResult<()> {
    diesel::delete(idempotency_keys::table.find(id)).execute(conn)?;
    Ok(())
}

/// Forgets keys older than [`KEEP`].
pub fn purge(conn: &mut DbConn, now: NaiveDateTime) -> AppResult<usize> {
    Ok(
        diesel::delete(idempotency_keys::table.filter(idempotency_keys::created_at.lt(now - KEEP)))
            .execute(conn)?,
    )
}
