//! What devices report (sessions and push opens), stored one row per event, and the aggregates
//! analytics reads from them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer};

use super::schema::events;
use super::DbConn;
use crate::error::AppResult;

#[derive(Debug, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent {
    pub app_id: i64,
    pub device_id: i64,
    pub kind: &'static str,
    pub occurred_at: NaiveDateTime,
    pub duration_secs: Option<i32>,
    pub message_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Inserts a batch in one statement. (`MultiConnection` has no batch insert: each backend's own
/// connection runs it.)
pub fn insert_all(conn: &mut DbConn, rows: &[NewEvent]) -> AppResult<usize> {
    let inserted = match conn {
        DbConn::Postgres(c) => diesel::insert_into(events::table).values(rows).execute(c)?,
        DbConn::Sqlite(c) => diesel::insert_into(events::table).values(rows).execute(c)?,
    };
    Ok(inserted)
}

/// One bucket's event aggregates.
#[derive(Debug, QueryableByName)]
pub struct EventFigures {
    #[diesel(sql_type = Integer)]
    pub bucket: i32,
    #[diesel(sql_type = BigInt)]
    pub sessions: i64,
    #[diesel(sql_type = BigInt)]
    pub push_opens: i64,
    #[diesel(sql_type = BigInt)]
    pub ended: i64,
    #[diesel(sql_type = BigInt)]
    pub duration: i64,
    #[diesel(sql_type = BigInt)]
    pub active_devices: i64,
}

#[derive(Debug, QueryableByName)]
pub struct BucketCount {
    #[diesel(sql_type = Integer)]
    pub bucket: i32,
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// Buckets of a time range: `starts[i]` opens bucket `i`, `end` closes the last one (UTC).
pub struct Buckets<'a> {
    pub starts: &'a [NaiveDateTime],
    pub end: NaiveDateTime,
}

impl Buckets<'_> {
    /// An SQL expression giving the bucket of `column`: nested `CASE`s that bisect the bounds, so
    /// each row costs log2(buckets) comparisons. The bounds are times we computed, written as
    /// literals in the format both backends compare correctly (SQLite compares the text).
    fn bucket_of(&self, column: &str) -> String {
        fn bisect(column: &str, starts: &[NaiveDateTime], lo: usize, hi: usize) -> String {
            if hi - lo <= 1 {
                return lo.to_string();
            }
            let mid = (lo + hi) / 2;
            format!(
                "CASE WHEN {column} < '{}' THEN {} ELSE {} END",
                sql_time(starts[mid]),
                bisect(column, starts, lo, mid),
                bisect(column, starts, mid, hi)
            )
        }
        bisect(column, self.starts, 0, self.starts.len())
    }

    fn range(&self, column: &str) -> String {
        format!(
            "{column} >= '{}' AND {column} < '{}'",
            sql_time(self.starts[0]),
            sql_time(self.end)
        )
    }
}

/// A time as an SQL literal, clamped to four-digit years.
fn sql_time(t: NaiveDateTime) -> String {
    use chrono::Datelike;
    match t.year() {
        y if y < 0 => "0000-01-01 00:00:00".into(),
        y if y > 9999 => "9999-12-31 23:59:59.999999".into(),
        // The format diesel writes SQLite timestamps in, so that text comparison is time order.
        _ => t.format("%F %T%.f").to_string(),
    }
}

fn load<R>(conn: &mut DbConn, sql: &str) -> AppResult<Vec<R>>
where
    R: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
{
    Ok(match conn {
        DbConn::Postgres(c) => diesel::sql_query(sql).load(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(sql).load(c)?,
    })
}

/// Sessions, push opens, session lengths and active devices per bucket, in one pass over the
/// app's events of the range (read from the covering `events_app_time` index).
pub fn figures_by_bucket(
    conn: &mut DbConn,
    app_id: i64,
    buckets: &Buckets<'_>,
) -> AppResult<Vec<EventFigures>> {
    let sql = format!(
        "SELECT {bucket} AS bucket, \
           SUM(CASE WHEN kind = 'session_start' THEN 1 ELSE 0 END) AS sessions, \
           SUM(CASE WHEN kind = 'push_open' THEN 1 ELSE 0 END) AS push_opens, \
           COUNT(duration_secs) AS ended, \
           COALESCE(SUM(duration_secs), 0) AS duration, \
           COUNT(DISTINCT device_id) AS active_devices \
         FROM events WHERE app_id = {app_id} AND {range} GROUP BY 1",
        bucket = buckets.bucket_of("occurred_at"),
        range = buckets.range("occurred_at"),
    );
    load(conn, &sql)
}

/// Devices first seen, per bucket.
pub fn installs_by_bucket(
    conn: &mut DbConn,
    app_id: i64,
    buckets: &Buckets<'_>,
) -> AppResult<Vec<BucketCount>> {
    let sql = format!(
        "SELECT {bucket} AS bucket, COUNT(*) AS n FROM devices \
         WHERE app_id = {app_id} AND {range} GROUP BY 1",
        bucket = buckets.bucket_of("first_seen_at"),
        range = buckets.range("first_seen_at"),
    );
    load(conn, &sql)
}

/// Distinct devices active over the whole range.
pub fn active_devices(conn: &mut DbConn, app_id: i64, buckets: &Buckets<'_>) -> AppResult<i64> {
    let sql = format!(
        "SELECT 0 AS bucket, COUNT(DISTINCT device_id) AS n FROM events \
         WHERE app_id = {app_id} AND {range}",
        range = buckets.range("occurred_at"),
    );
    Ok(load::<BucketCount>(conn, &sql)?.first().map_or(0, |r| r.n))
}
