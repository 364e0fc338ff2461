//! Raw events waiting to be folded into the hour and quarter rollups, and the fold itself.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::schema::{analytics_device_hours as hours, analytics_pending as pending};
use super::super::DbConn;
use super::{Fold, Quarter};
use crate::error::{StoreError, StoreResult};
use crate::sketch::Sketch;

/// A queued addition, as the fold job and analytics read it.
#[derive(Debug)]
pub struct Pending {
    pub app_id: i64,
    pub starts_at: NaiveDateTime,
    pub sums: Quarter,
    pub devices: Option<Sketch>,
}

/// A queued row as stored.
#[derive(Queryable, Selectable)]
#[diesel(table_name = pending)]
pub(super) struct PendingRow {
    id: i64,
    app_id: i64,
    starts_at: NaiveDateTime,
    sessions: i64,
    push_opens: i64,
    ended: i64,
    duration: i64,
    installs: i64,
    devices: Option<Vec<u8>>,
}

pub(super) fn read_pending(row: PendingRow) -> StoreResult<Pending> {
    let devices = match row.devices {
        Some(bytes) => {
            Some(Sketch::from_bytes(&bytes).ok_or_else(|| unreadable(row.app_id, row.starts_at))?)
        }
        None => None,
    };
    Ok(Pending {
        app_id: row.app_id,
        starts_at: row.starts_at,
        sums: Quarter {
            sessions: row.sessions,
            push_opens: row.push_opens,
            ended: row.ended,
            duration: row.duration,
            installs: row.installs,
        },
        devices,
    })
}

pub(super) fn unreadable(app_id: i64, at: NaiveDateTime) -> StoreError {
    StoreError::corrupt(format!("unreadable device sketch of app {app_id} at {at}"))
}

/// The app's queued additions for quarters in `[from, to)` (analytics adds them to what it reads
/// from the rollups, in the same snapshot).
pub fn pending_between(
    conn: &mut DbConn,
    app_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> StoreResult<Vec<Pending>> {
    let rows: Vec<PendingRow> = pending::table
        .filter(pending::app_id.eq(app_id))
        .filter(pending::starts_at.ge(from))
        .filter(pending::starts_at.lt(to))
        .select(PendingRow::as_select())
        .load(conn)?;
    rows.into_iter().map(read_pending).collect()
}

/// Moves up to `limit` queued additions (oldest first) into the rollups, in one transaction;
/// how many. Several servers may run it at once: each claims rows the others have not locked.
pub fn fold_pending(conn: &mut DbConn, limit: i64) -> StoreResult<usize> {
    // A read first: an idle server takes no write lock (SQLite has one for the whole database).
    let queued: Option<i64> = pending::table.select(pending::id).first(conn).optional()?;
    if queued.is_none() {
        return Ok(0);
    }
    super::super::write_transaction(conn, |conn| {
        let rows: Vec<PendingRow> = match conn {
            DbConn::Postgres(c) => pending::table
                .select(PendingRow::as_select())
                .order(pending::id)
                .limit(limit)
                .for_update()
                .skip_locked()
                .load(c)?,
            // The write transaction holds the whole database.
            DbConn::Sqlite(c) => pending::table
                .select(PendingRow::as_select())
                .order(pending::id)
                .limit(limit)
                .load(c)?,
        };
        let claimed: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut folds: BTreeMap<i64, Fold> = BTreeMap::new();
        for row in rows {
            let p = read_pending(row)?;
            folds
                .entry(p.app_id)
                .or_default()
                .add(p.starts_at, &p.sums, p.devices.as_ref());
        }
        for chunk in claimed.chunks(1000) {
            diesel::delete(pending::table.filter(pending::id.eq_any(chunk))).execute(conn)?;
        }
        for (app_id, fold) in folds {
            fold.save(conn, app_id)?;
        }
        Ok(claimed.len())
    })
}

/// The most queued rows one fold transaction takes.
pub const FOLD_BATCH: i64 = 5_000;

/// Merges `sketch` into the app's stored sketch of the hour at `starts_at`, or stores it.
pub(super) fn merge_hour(
    conn: &mut DbConn,
    app_id: i64,
    starts_at: NaiveDateTime,
    sketch: &Sketch,
) -> StoreResult<()> {
    let key = hours::table.find((app_id, starts_at));
    loop {
        // The stored sketch, locked until commit (on SQLite the write transaction holds the
        // whole database).
        let stored: Option<Vec<u8>> = match conn {
            DbConn::Postgres(c) => key.select(hours::devices).for_update().first(c),
            DbConn::Sqlite(c) => key.select(hours::devices).first(c),
        }
        .optional()?;
        if let Some(bytes) = stored {
            let mut merged =
                Sketch::from_bytes(&bytes).ok_or_else(|| unreadable(app_id, starts_at))?;
            merged.merge(sketch);
            diesel::update(key)
                .set(hours::devices.eq(merged.to_bytes()))
                .execute(conn)?;
            return Ok(());
        }
        if insert_hour(conn, app_id, starts_at, &sketch.to_bytes())? == 1 {
            return Ok(());
        }
        // Another transaction stored this hour since (PostgreSQL): merge into its sketch.
    }
}

/// Inserts an hour's first sketch unless one exists; how many rows were inserted.
pub(super) fn insert_hour(
    conn: &mut DbConn,
    app_id: i64,
    starts_at: NaiveDateTime,
    bytes: &[u8],
) -> StoreResult<usize> {
    let row = (
        hours::app_id.eq(app_id),
        hours::starts_at.eq(starts_at),
        hours::devices.eq(bytes),
    );
    Ok(match conn {
        DbConn::Postgres(c) => diesel::insert_into(hours::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(hours::table).values(row).execute(c)?,
    })
}
