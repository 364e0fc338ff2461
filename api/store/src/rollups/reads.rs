//! What analytics reads of the rollups: quarter hours and device hours between two instants.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::super::schema::analytics_device_hours as hours;
use super::super::DbConn;
use super::folding::unreadable;
use super::Quarter;
use crate::error::StoreResult;
use crate::sketch::Sketch;

/// The app's quarter hours in `[from, to)` that hold anything, in time order.
pub fn quarters_between(
    conn: &mut DbConn,
    app_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> StoreResult<Vec<(NaiveDateTime, Quarter)>> {
    use super::super::schema::analytics_quarters as q;
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
