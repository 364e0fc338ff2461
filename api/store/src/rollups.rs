//! Analytics rollups: what an app's events and installs add up to per quarter of an hour, and
//! which devices were active per hour, read by analytics instead of the raw events.
//!
//! The transactions that store events and register devices queue what they add
//! ([`Fold::stage`]: inserts, which concurrent intakes never wait on); every server's fold job
//! moves the queue into the rollups ([`fold_pending`]); analytics reads the rollups and the queue
//! in one snapshot, so a stored event is counted at once, and once.

use std::collections::BTreeMap;

use chrono::{DurationRound, NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::schema::{
    analytics_device_hours as hours, analytics_pending as pending, apps, devices, events,
};
use super::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::sketch::Sketch;

/// The additive figures of one quarter of an hour.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Queryable)]
pub struct Quarter {
    pub sessions: i64,
    pub push_opens: i64,
    /// Sessions that ended (reported a length), and the sum of those lengths in seconds.
    pub ended: i64,
    pub duration: i64,
    pub installs: i64,
}

/// What some events and installs add to the rollups of one app, per quarter hour: the sums, and
/// the devices active in it.
#[derive(Debug, Default)]
pub struct Fold {
    quarters: BTreeMap<NaiveDateTime, (Quarter, Sketch)>,
}

/// The start of the period of `length` that holds `t` (periods counted from the epoch, UTC).
fn floor(t: NaiveDateTime, length: TimeDelta) -> NaiveDateTime {
    t.duration_trunc(length).unwrap_or(t)
}

pub const QUARTER: TimeDelta = TimeDelta::minutes(15);
pub const HOUR: TimeDelta = TimeDelta::hours(1);

impl Quarter {
    fn add(&mut self, other: &Self) {
        self.sessions += other.sessions;
        self.push_opens += other.push_opens;
        self.ended += other.ended;
        self.duration += other.duration;
        self.installs += other.installs;
    }
}

impl Fold {
    /// One stored event of `device_id`.
    pub fn event(
        &mut self,
        device_id: i64,
        kind: &str,
        at: NaiveDateTime,
        duration_secs: Option<i32>,
    ) {
        let (q, devices) = self.quarters.entry(floor(at, QUARTER)).or_default();
        match kind {
            "session_start" => q.sessions += 1,
            "push_open" => q.push_opens += 1,
            _ => {}
        }
        if let Some(secs) = duration_secs {
            q.ended += 1;
            q.duration += i64::from(secs);
        }
        devices.insert(device_id);
    }

    /// One device first seen at `at`.
    pub fn install(&mut self, at: NaiveDateTime) {
        self.quarters
            .entry(floor(at, QUARTER))
            .or_default()
            .0
            .installs += 1;
    }

    /// Adds a quarter's sums and devices.
    fn add(&mut self, starts_at: NaiveDateTime, sums: &Quarter, devices: Option<&Sketch>) {
        let (q, d) = self.quarters.entry(starts_at).or_default();
        q.add(sums);
        if let Some(devices) = devices {
            d.merge(devices);
        }
    }

    /// Queues this fold for the fold job: inserts only, so that concurrent intakes of one app
    /// never wait for each other's row locks (they would, all updating the same hour).
    pub fn stage(self, conn: &mut DbConn, app_id: i64) -> StoreResult<()> {
        let rows: Vec<NewPending> = self
            .quarters
            .into_iter()
            .map(|(starts_at, (q, devices))| NewPending {
                app_id,
                starts_at,
                sessions: q.sessions,
                push_opens: q.push_opens,
                ended: q.ended,
                duration: q.duration,
                installs: q.installs,
                devices: (devices.count() > 0).then(|| devices.to_bytes()),
            })
            .collect();
        if !rows.is_empty() {
            crate::insert_many!(conn, pending::table, &rows)?;
        }
        Ok(())
    }

    /// Adds this fold to the app's rollups. Rows are written in key order, quarters before hours,
    /// so concurrent writers lock them in one order and never deadlock.
    pub fn save(self, conn: &mut DbConn, app_id: i64) -> StoreResult<()> {
        if self.quarters.is_empty() {
            return Ok(());
        }
        let mut hours: BTreeMap<NaiveDateTime, Sketch> = BTreeMap::new();
        let mut values = Vec::with_capacity(self.quarters.len());
        for (t, (q, devices)) in self.quarters {
            // Integers and times computed here: literals are safe, and one statement serves both
            // backends (diesel's batch upsert is not available on its multi-backend connection).
            values.push(format!(
                "({app_id}, '{}', {}, {}, {}, {}, {})",
                t.format("%F %T"),
                q.sessions,
                q.push_opens,
                q.ended,
                q.duration,
                q.installs
            ));
            if devices.count() > 0 {
                hours.entry(floor(t, HOUR)).or_default().merge(&devices);
            }
        }
        diesel::sql_query(format!(
            "INSERT INTO analytics_quarters \
             (app_id, starts_at, sessions, push_opens, ended, duration, installs) \
             VALUES {} ON CONFLICT (app_id, starts_at) DO UPDATE SET \
             sessions = analytics_quarters.sessions + excluded.sessions, \
             push_opens = analytics_quarters.push_opens + excluded.push_opens, \
             ended = analytics_quarters.ended + excluded.ended, \
             duration = analytics_quarters.duration + excluded.duration, \
             installs = analytics_quarters.installs + excluded.installs",
            values.join(", ")
        ))
        .execute(conn)?;
        for (starts_at, sketch) in hours {
            merge_hour(conn, app_id, starts_at, &sketch)?;
        }
        Ok(())
    }
}

#[derive(Insertable)]
#[diesel(table_name = pending)]
struct NewPending {
    app_id: i64,
    starts_at: NaiveDateTime,
    sessions: i64,
    push_opens: i64,
    ended: i64,
    duration: i64,
    installs: i64,
    devices: Option<Vec<u8>>,
}

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
struct PendingRow {
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

fn read_pending(row: PendingRow) -> StoreResult<Pending> {
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

fn unreadable(app_id: i64, at: NaiveDateTime) -> StoreError {
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
    super::write_transaction(conn, |conn| {
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
fn merge_hour(
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
fn insert_hour(
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

/// The app's quarter hours in `[from, to)` that hold anything, in time order.
pub fn quarters_between(
    conn: &mut DbConn,
    app_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> StoreResult<Vec<(NaiveDateTime, Quarter)>> {
    use super::schema::analytics_quarters as q;
    Ok(q::table
        .filter(q::app_id.eq(app_id))
        .filter(q::starts_at.ge(from))
        .filter(q::starts_at.lt(to))
        .order(q::starts_at)
        .select((
            q::starts_at,
            (
                q::sessions,
                q::push_opens,
                q::ended,
                q::duration,
                q::installs,
            ),
        ))
        .load(conn)?)
}

/// The sketches of the app's hours in `[from, to)`, in time order.
pub fn device_hours(
    conn: &mut DbConn,
    app_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> StoreResult<Vec<(NaiveDateTime, Sketch)>> {
    let rows: Vec<(NaiveDateTime, Vec<u8>)> = hours::table
        .filter(hours::app_id.eq(app_id))
        .filter(hours::starts_at.ge(from))
        .filter(hours::starts_at.lt(to))
        .order(hours::starts_at)
        .select((hours::starts_at, hours::devices))
        .load(conn)?;
    rows.into_iter()
        .map(|(t, bytes)| {
            Sketch::from_bytes(&bytes)
                .map(|s| (t, s))
                .ok_or_else(|| unreadable(app_id, t))
        })
        .collect()
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
pub fn rebuild(conn: &mut DbConn, app_id: i64) -> StoreResult<Rebuilt> {
    super::write_transaction(conn, |conn| {
        if let DbConn::Postgres(c) = conn {
            let locked: Option<i64> = apps::table
                .find(app_id)
                .select(apps::id)
                .for_update()
                .first(c)
                .optional()?;
            if locked.is_none() {
                return Ok(Rebuilt::default());
            }
        }
        for table in [
            "analytics_pending",
            "analytics_quarters",
            "analytics_device_hours",
        ] {
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
        let span: (Option<NaiveDateTime>, Option<NaiveDateTime>) = events::table
            .filter(events::app_id.eq(app_id))
            .select((
                diesel::dsl::min(events::occurred_at),
                diesel::dsl::max(events::occurred_at),
            ))
            .first(conn)?;
        let mut read = 0;
        if let (Some(first), Some(last)) = span {
            let mut from = floor(first, TimeDelta::days(1));
            while from <= last {
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
pub fn rebuild_all(conn: &mut DbConn, only: Option<i64>) -> StoreResult<(usize, Rebuilt)> {
    let ids: Vec<i64> = match only {
        Some(id) => vec![id],
        None => apps::table.select(apps::id).order(apps::id).load(conn)?,
    };
    let mut total = Rebuilt::default();
    for &id in &ids {
        let r = rebuild(conn, id)?;
        total.events += r.events;
        total.installs += r.installs;
    }
    Ok((ids.len(), total))
}
