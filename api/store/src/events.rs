//! What devices report (sessions and push opens), stored one row per event, and the aggregates
//! analytics reads from them.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};

use super::rollups::Fold;
use super::schema::events;
use super::DbConn;
use crate::error::StoreResult;

#[derive(Debug, Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent {
    pub app_id: i64,
    pub device_id: i64,
    pub kind: &'static str,
    pub occurred_at: NaiveDateTime,
    pub duration_secs: Option<i32>,
    pub message_id: Option<String>,
    pub client_id: Option<String>,
    pub created_at: NaiveDateTime,
}

/// Inserts a batch of the app's events, skipping those whose `client_id` the device already
/// reported, and queues the stored ones for the app's rollups; returns how many were stored.
/// PostgreSQL takes the batch in one statement; diesel writes SQLite batches as one prepared
/// statement per row (it has no `DEFAULT` keyword), which with `ON CONFLICT` has to be spelled out
/// here. (`MultiConnection` has no batch insert: each backend's own connection runs it.)
pub fn insert_all(conn: &mut DbConn, app_id: i64, rows: &[NewEvent]) -> StoreResult<usize> {
    let mut fold = Fold::default();
    let stored = match conn {
        DbConn::Postgres(c) => {
            let stored: Vec<(i64, String, NaiveDateTime, Option<i32>)> =
                diesel::insert_into(events::table)
                    .values(rows)
                    .on_conflict_do_nothing()
                    .returning((
                        events::device_id,
                        events::kind,
                        events::occurred_at,
                        events::duration_secs,
                    ))
                    .get_results(c)?;
            for (device, kind, at, secs) in &stored {
                fold.event(*device, kind, *at, *secs);
            }
            stored.len()
        }
        DbConn::Sqlite(c) => {
            let mut stored = 0;
            for row in rows {
                if diesel::insert_into(events::table)
                    .values(row)
                    .on_conflict_do_nothing()
                    .execute(c)?
                    == 1
                {
                    stored += 1;
                    fold.event(row.device_id, row.kind, row.occurred_at, row.duration_secs);
                }
            }
            stored
        }
    };
    fold.stage(conn, app_id)?;
    Ok(stored)
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
    /// `SELECT {i} AS bucket, {select} FROM {from_where} AND {column} in bucket i`, one SELECT per
    /// bucket glued with `UNION ALL`: each reads its own index range and aggregates it alone, so
    /// nothing sorts the whole range (a `GROUP BY` over a computed bucket would). Every bucket
    /// answers a row, empty ones included. The bounds are times we computed, written as literals
    /// in the format both backends compare correctly (SQLite compares the text).
    fn per_bucket(&self, select: &str, from_where: &str, column: &str) -> String {
        self.per_bucket_grouped(select, from_where, column, "")
    }

    /// [`per_bucket`](Self::per_bucket) with a `GROUP BY` in each bucket (empty groups answer no
    /// row).
    fn per_bucket_grouped(
        &self,
        select: &str,
        from_where: &str,
        column: &str,
        group_by: &str,
    ) -> String {
        let ends = self.starts.iter().skip(1).chain([&self.end]);
        self.starts
            .iter()
            .zip(ends)
            .enumerate()
            .map(|(i, (&start, &end))| {
                format!(
                    "SELECT {i} AS bucket, {select} FROM {from_where} \
                     AND {column} >= '{}' AND {column} < '{}'{group_by}",
                    sql_time(start),
                    sql_time(end)
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ")
    }
}

/// A time as an SQL literal, clamped to four-digit years.
pub(super) fn sql_time(t: NaiveDateTime) -> String {
    use chrono::Datelike;
    match t.year() {
        y if y < 0 => "0000-01-01 00:00:00".into(),
        y if y > 9999 => "9999-12-31 23:59:59.999999".into(),
        // The format diesel writes SQLite timestamps in, so that text comparison is time order.
        _ => t.format("%F %T%.f").to_string(),
    }
}

pub(super) fn load<R>(conn: &mut DbConn, sql: &str) -> StoreResult<Vec<R>>
where
    R: QueryableByName<diesel::pg::Pg> + QueryableByName<diesel::sqlite::Sqlite> + 'static,
{
    Ok(match conn {
        DbConn::Postgres(c) => diesel::sql_query(sql).load(c)?,
        DbConn::Sqlite(c) => diesel::sql_query(sql).load(c)?,
    })
}

/// Sessions, push opens, session lengths and active devices per bucket, read from the covering
/// `events_app_time` index.
pub fn figures_by_bucket(
    conn: &mut DbConn,
    app_id: i64,
    buckets: &Buckets<'_>,
) -> StoreResult<Vec<EventFigures>> {
    let select = "COUNT(CASE WHEN kind = 'session_start' THEN 1 END) AS sessions, \
                  COUNT(CASE WHEN kind = 'push_open' THEN 1 END) AS push_opens, \
                  COUNT(duration_secs) AS ended, \
                  COALESCE(SUM(duration_secs), 0) AS duration, \
                  COUNT(DISTINCT device_id) AS active_devices";
    let from_where = format!("events WHERE app_id = {app_id}");
    load(
        conn,
        &buckets.per_bucket(select, &from_where, "occurred_at"),
    )
}

/// Devices first seen, per bucket (from `devices_app_first_seen`).
pub fn installs_by_bucket(
    conn: &mut DbConn,
    app_id: i64,
    buckets: &Buckets<'_>,
) -> StoreResult<Vec<BucketCount>> {
    let from_where = format!("devices WHERE app_id = {app_id}");
    load(
        conn,
        &buckets.per_bucket("COUNT(*) AS n", &from_where, "first_seen_at"),
    )
}

/// One bucket's orders in one currency.
#[derive(Debug, QueryableByName)]
pub struct OrderFigures {
    #[diesel(sql_type = Integer)]
    pub bucket: i32,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    #[diesel(sql_type = BigInt)]
    pub revenue: i64,
}

/// Orders placed and not canceled, and their value less refunds, per bucket and currency (from
/// `orders_app_placed`).
pub fn orders_by_bucket(
    conn: &mut DbConn,
    app_id: i64,
    buckets: &Buckets<'_>,
) -> StoreResult<Vec<OrderFigures>> {
    let select = "currency, COUNT(*) AS orders, \
                  CAST(COALESCE(SUM(total - refunded_amount), 0) AS BIGINT) AS revenue";
    let from_where = format!("orders WHERE app_id = {app_id} AND status <> 'canceled'");
    load(
        conn,
        &buckets.per_bucket_grouped(select, &from_where, "placed_at", " GROUP BY currency"),
    )
}

/// One quarter hour's orders in one currency.
#[derive(Debug, QueryableByName)]
pub struct QuarterOrders {
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    pub starts_at: NaiveDateTime,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = BigInt)]
    pub orders: i64,
    #[diesel(sql_type = BigInt)]
    pub revenue: i64,
}

/// [`orders_by_bucket`] per quarter hour (UTC) of `[from, to)` instead: one scan of the range of
/// `orders_app_placed`, for buckets that start on quarter hours (the caller sums them).
pub fn orders_by_quarter(
    conn: &mut DbConn,
    app_id: i64,
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> StoreResult<Vec<QuarterOrders>> {
    let quarter = match conn {
        DbConn::Postgres(_) => "date_bin('15 minutes', placed_at, TIMESTAMP '2000-01-01')",
        DbConn::Sqlite(_) => {
            "datetime(CAST(strftime('%s', placed_at) AS INTEGER) / 900 * 900, 'unixepoch')"
        }
    };
    load(
        conn,
        &format!(
            "SELECT {quarter} AS starts_at, currency, COUNT(*) AS orders, \
             CAST(COALESCE(SUM(total - refunded_amount), 0) AS BIGINT) AS revenue \
             FROM orders WHERE app_id = {app_id} AND status <> 'canceled' \
             AND placed_at >= '{}' AND placed_at < '{}' GROUP BY 1, 2",
            sql_time(from),
            sql_time(to)
        ),
    )
}

/// Distinct devices active over the whole range: one probe of `events_device_time` per device of
/// the app, far cheaper than a distinct count over all the range's events.
pub fn active_devices(conn: &mut DbConn, app_id: i64, buckets: &Buckets<'_>) -> StoreResult<i64> {
    let sql = format!(
        "SELECT 0 AS bucket, COUNT(*) AS n FROM devices d WHERE d.app_id = {app_id} AND EXISTS \
         (SELECT 1 FROM events e WHERE e.device_id = d.id \
          AND e.occurred_at >= '{}' AND e.occurred_at < '{}')",
        sql_time(buckets.starts[0]),
        sql_time(buckets.end)
    );
    Ok(load::<BucketCount>(conn, &sql)?.first().map_or(0, |r| r.n))
}
