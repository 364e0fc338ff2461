//! Analytics rollups: what an app's events and installs add up to per quarter of an hour, and
//! which devices were active per hour, read by analytics instead of the raw events.
//!
//! The transactions that store events and register devices queue what they add
//! ([`Fold::stage`]: inserts, which concurrent intakes never wait on); every server's fold job
//! moves the queue into the rollups ([`fold_pending`]); analytics reads the rollups and the queue
//! in one snapshot, so a stored event is counted at once, and once.

mod folding;
mod reads;
mod rebuild;

pub use folding::*;
pub use reads::*;
pub use rebuild::*;

use std::collections::BTreeMap;

use chrono::{DurationRound, NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::schema::analytics_pending as pending;
use super::DbConn;
use crate::error::StoreResult;
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
