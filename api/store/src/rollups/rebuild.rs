//! Rollups made again from the raw events (after a restore, or a change of the fold).

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use super::super::schema::{apps, devices, events};
use super::super::DbConn;
use super::{floor, Fold};
use crate::error::StoreResult;

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
    super::super::write_transaction(conn, |conn| {
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
