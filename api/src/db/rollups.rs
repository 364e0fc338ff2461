//! Analytics rollups: what an app's events and installs add up to per quarter of an hour, and
//! which devices were active per hour, written by the transactions that store them (so a reader
//! never sees an event without its rollup) and read by analytics instead of the raw events.

use std::collections::BTreeMap;

use chrono::{DurationRound, NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use super::schema::{analytics_device_hours as hours, devices, events};
use super::DbConn;
use crate::error::{AppError, AppResult};
use crate::sketch::Sketch;

/// The additive figures of one quarter of an hour.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    pub sessions: i64,
    pub push_opens: i64,
    /// Sessions that ended (reported a length), and the sum of those lengths in seconds.
    pub ended: i64,
    pub duration: i64,
    pub installs: i64,
}

/// What some events and installs add to the rollups of one app; [`save`](Self::save) adds it.
#[derive(Debug, Default)]
pub struct Fold {
    quarters: BTreeMap<NaiveDateTime, Quarter>,
    hours: BTreeMap<NaiveDateTime, Sketch>,
}

/// The start of the period of `length` that holds `t` (periods counted from the epoch, UTC).
fn floor(t: NaiveDateTime, length: TimeDelta) -> NaiveDateTime {
    t.duration_trunc(length).unwrap_or(t)
}

pub const QUARTER: TimeDelta = TimeDelta::minutes(15);
pub const HOUR: TimeDelta = TimeDelta::hours(1);

impl Fold {
    /// One stored event of `device_id`.
    pub fn event(
        &mut self,
        device_id: i64,
        kind: &str,
        at: NaiveDateTime,
        duration_secs: Option<i32>,
    ) {
        let q = self.quarters.entry(floor(at, QUARTER)).or_default();
        match kind {
            "session_start" => q.sessions += 1,
            "push_open" => q.push_opens += 1,
            _ => {}
        }
        if let Some(secs) = duration_secs {
            q.ended += 1;
            q.duration += i64::from(secs);
        }
        self.hours
            .entry(floor(at, HOUR))
            .or_default()
            .insert(device_id);
    }

    /// One device first seen at `at`.
    pub fn install(&mut self, at: NaiveDateTime) {
        self.quarters
            .entry(floor(at, QUARTER))
            .or_default()
            .installs += 1;
    }

    /// Adds this fold to the app's rollups. Rows are written in key order, quarters before hours,
    /// so concurrent writers lock them in one order and never deadlock.
    pub fn save(self, conn: &mut DbConn, app_id: i64) -> AppResult<()> {
        if !self.quarters.is_empty() {
            // Integers and times computed here: literals are safe, and one statement serves both
            // backends (diesel's batch upsert is not available on its multi-backend connection).
            let values = self
                .quarters
                .iter()
                .map(|(t, q)| {
                    format!(
                        "({app_id}, '{}', {}, {}, {}, {}, {})",
                        t.format("%F %T"),
                        q.sessions,
                        q.push_opens,
                        q.ended,
                        q.duration,
                        q.installs
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            diesel::sql_query(format!(
                "INSERT INTO analytics_quarters \
                 (app_id, starts_at, sessions, push_opens, ended, duration, installs) \
                 VALUES {values} ON CONFLICT (app_id, starts_at) DO UPDATE SET \
                 sessions = analytics_quarters.sessions + excluded.sessions, \
                 push_opens = analytics_quarters.push_opens + excluded.push_opens, \
                 ended = analytics_quarters.ended + excluded.ended, \
                 duration = analytics_quarters.duration + excluded.duration, \
                 installs = analytics_quarters.installs + excluded.installs"
            ))
            .execute(conn)?;
        }
        for (starts_at, sketch) in self.hours {
            merge_hour(conn, app_id, starts_at, &sketch)?;
        }
        Ok(())
    }
}

/// Merges `sketch` into the app's stored sketch of the hour at `starts_at`, or stores it.
fn merge_hour(
    conn: &mut DbConn,
    app_id: i64,
    starts_at: NaiveDateTime,
    sketch: &Sketch,
) -> AppResult<()> {
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
            let mut merged = Sketch::from_bytes(&bytes).ok_or_else(|| {
                AppError::internal(anyhow::anyhow!(
                    "unreadable device sketch of app {app_id} at {starts_at}"
                ))
            })?;
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
fn insert_hour(
    conn: &mut DbConn,
    app_id: i64,
    starts_at: NaiveDateTime,
    bytes: &[u8],
) -> AppResult<usize> {
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

/// The sketches of the app's hours in `[from, to)`, in time order.
pub fn device_hours(
    conn: &mut DbConn,
    app_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> AppResult<Vec<(NaiveDateTime, Sketch)>> {
    let rows: Vec<(NaiveDateTime, Vec<u8>)> = hours::table
        .filter(hours::app_id.eq(app_id))
        .filter(hours::starts_at.ge(from))
        .filter(hours::starts_at.lt(to))
        .order(hours::starts_at)
        .select((hours::starts_at, hours::devices))
        .load(conn)?;
    rows.into_iter()
        .map(|(t, bytes)| {
            Sketch::from_bytes(&bytes).map(|s| (t, s)).ok_or_else(|| {
                AppError::internal(anyhow::anyhow!(
                    "unreadable device sketch of app {app_id} at {t}"
                ))
            })
        })
        .collect()
}

#[derive(QueryableByName)]
struct AppId {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct Span {
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
    first: Option<NaiveDateTime>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Timestamp>)]
    last: Option<NaiveDateTime>,
}

/// What [`rebuild`] read.
#[derive(Debug, Default, Clone, Copy)]
pub struct Rebuilt {
    pub events: usize,
    pub installs: usize,
}

/// Recomputes the app's rollups from its events and devices, in one transaction. Stores of new
/// events and devices of this app wait for it (the app row is locked: their foreign-key checks
/// take a share lock on it), those of other apps do not.
pub fn rebuild(conn: &mut DbConn, app_id: i64) -> AppResult<Rebuilt> {
    super::write_transaction(conn, |conn| {
        if let DbConn::Postgres(c) = conn {
            let locked: Vec<AppId> =
                diesel::sql_query("SELECT id FROM apps WHERE id = $1 FOR UPDATE")
                    .bind::<BigInt, _>(app_id)
                    .load::<AppId>(c)?;
            if locked.is_empty() {
                return Ok(Rebuilt::default());
            }
        }
        for table in ["analytics_quarters", "analytics_device_hours"] {
            diesel::sql_query(format!("DELETE FROM {table} WHERE app_id = {app_id}"))
                .execute(conn)?;
        }
        let mut fold = Fold::default();
        let installs: Vec<NaiveDateTime> = devices::table
            .filter(devices::app_id.eq(app_id))
            .select(devices::first_seen_at)
            .load(conn)?;
        for at in &installs {
            fold.install(*at);
        }
        fold.save(conn, app_id)?;
        // A day of events at a time, read from the covering index.
        let span: Vec<Span> = diesel::sql_query(format!(
            "SELECT MIN(occurred_at) AS first, MAX(occurred_at) AS last FROM events \
             WHERE app_id = {app_id}"
        ))
        .load(conn)?;
        let mut read = 0;
        if let Some(Span {
            first: Some(first),
            last: Some(last),
        }) = span.first()
        {
            let mut from = floor(*first, TimeDelta::days(1));
            while from <= *last {
                let to = from + TimeDelta::days(1);
                let day: Vec<(i64, String, NaiveDateTime, Option<i32>)> = events::table
                    .filter(events::app_id.eq(app_id))
                    .filter(events::occurred_at.ge(from))
                    .filter(events::occurred_at.lt(to))
                    .select((
                        events::device_id,
                        events::kind,
                        events::occurred_at,
                        events::duration_secs,
                    ))
                    .load(conn)?;
                read += day.len();
                let mut fold = Fold::default();
                for (device, kind, at, secs) in &day {
                    fold.event(*device, kind, *at, *secs);
                }
                fold.save(conn, app_id)?;
                from = to;
            }
        }
        Ok(Rebuilt {
            events: read,
            installs: installs.len(),
        })
    })
}

/// Rebuilds the rollups of every app (or of one); how many apps and what was read.
pub fn rebuild_all(conn: &mut DbConn, only: Option<i64>) -> AppResult<(usize, Rebuilt)> {
    let ids: Vec<AppId> = match only {
        Some(id) => vec![AppId { id }],
        None => diesel::sql_query("SELECT id FROM apps ORDER BY id").load(conn)?,
    };
    let mut total = Rebuilt::default();
    for AppId { id } in &ids {
        let r = rebuild(conn, *id)?;
        total.events += r.events;
        total.installs += r.installs;
    }
    Ok((ids.len(), total))
}
