//! What a sent message did: opens, failures by reason, sends and opens per hour.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::error::StoreResult;
use crate::schema::{events, push_deliveries};
use crate::DbConn;

/// Devices that opened each of `ids` (their `push_open` events).
pub fn opened(conn: &mut DbConn, app_id: i64, ids: &[i64]) -> StoreResult<HashMap<i64, i64>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let names: Vec<String> = ids.iter().map(i64::to_string).collect();
    let rows: Vec<(Option<String>, i64)> = events::table
        .filter(events::message_id.eq_any(&names))
        .filter(events::app_id.eq(app_id))
        .filter(events::kind.eq("push_open"))
        .group_by(events::message_id)
        .select((
            events::message_id,
            diesel::dsl::count(events::device_id).aggregate_distinct(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, n)| Some((id?.parse().ok()?, n)))
        .collect())
}

/// Failed deliveries of a message by reason, most first.
pub fn failures(conn: &mut DbConn, id: i64) -> StoreResult<Vec<(String, i64)>> {
    let mut rows: Vec<(Option<String>, i64)> = push_deliveries::table
        .filter(push_deliveries::message_id.eq(id))
        .filter(push_deliveries::status.eq("failed"))
        .group_by(push_deliveries::reason)
        .select((push_deliveries::reason, diesel::dsl::count_star()))
        .load(conn)?;
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(rows
        .into_iter()
        .map(|(reason, n)| (reason.unwrap_or_else(|| "unknown".into()), n))
        .collect())
}

#[derive(Debug, QueryableByName)]
struct HourCount {
    #[diesel(sql_type = diesel::sql_types::Timestamp)]
    hour: NaiveDateTime,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// Deliveries sent and devices' opens per hour (UTC) of message `id`: `(hour, sent, opened)`.
pub fn timeline(
    conn: &mut DbConn,
    app_id: i64,
    id: i64,
) -> StoreResult<Vec<(NaiveDateTime, i64, i64)>> {
    let hour = |column: &str| match conn {
        DbConn::Postgres(_) => format!("date_trunc('hour', {column})"),
        DbConn::Sqlite(_) => format!("strftime('%Y-%m-%d %H:00:00', {column})"),
    };
    let sent_sql = format!(
        "SELECT {h} AS hour, COUNT(*) AS n FROM push_deliveries \
         WHERE message_id = {id} AND status = 'sent' GROUP BY 1 ORDER BY 1 LIMIT 1000",
        h = hour("sent_at")
    );
    let opened_sql = format!(
        "SELECT {h} AS hour, COUNT(*) AS n FROM events \
         WHERE message_id = '{id}' AND app_id = {app_id} AND kind = 'push_open' \
         GROUP BY 1 ORDER BY 1 LIMIT 1000",
        h = hour("occurred_at")
    );
    let sent: Vec<HourCount> = crate::events::load(conn, &sent_sql)?;
    let opened: Vec<HourCount> = crate::events::load(conn, &opened_sql)?;
    let mut hours: BTreeMap<NaiveDateTime, (i64, i64)> = BTreeMap::new();
    for h in sent {
        hours.entry(h.hour).or_default().0 += h.n;
    }
    for h in opened {
        hours.entry(h.hour).or_default().1 += h.n;
    }
    Ok(hours.into_iter().map(|(h, (s, o))| (h, s, o)).collect())
}
