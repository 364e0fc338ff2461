//! Push messages, each app's push settings, and one delivery per message and device.
//!
//! A message that starts sending is *fanned out* in chunks of devices (by id, from
//! `fanout_after`), each chunk making its deliveries; the sender claims due deliveries with row
//! locks, so replicas never send one twice, and a unique index makes a second delivery of one
//! message to one device impossible.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::devices::Platform;
use types::push::{PushKind, PushStatus, PushTarget};

use super::page::{created_before, Paging};
use super::schema::{devices, events, push_deliveries, push_messages, push_settings};
use super::stored::Stored;
use super::DbConn;
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, Default, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = push_settings, treat_none_as_null = true)]
pub struct SettingsRow {
    pub app_id: i64,
    pub fcm_credentials: Option<String>,
    pub fcm_project_id: Option<String>,
    pub fcm_client_email: Option<String>,
    pub fcm_key_id: Option<String>,
    pub apns_credentials: Option<String>,
    pub apns_key_id: Option<String>,
    pub apns_team_id: Option<String>,
    pub apns_topic: Option<String>,
    pub apns_environment: Option<String>,
    pub quiet_start: Option<i32>,
    pub quiet_end: Option<i32>,
    pub daily_cap: Option<i32>,
    pub order_status_enabled: bool,
    pub order_status_template: Option<String>,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

impl SettingsRow {
    /// The app's settings; an app that saved none has the defaults (version 0).
    pub fn of(conn: &mut DbConn, app_id: i64) -> StoreResult<Self> {
        Ok(push_settings::table
            .find(app_id)
            .select(Self::as_select())
            .first(conn)
            .optional()?
            .unwrap_or(Self {
                app_id,
                ..Self::default()
            }))
    }

    /// Several apps' settings (the defaults for apps without).
    pub fn of_apps(conn: &mut DbConn, app_ids: &[i64]) -> StoreResult<HashMap<i64, Self>> {
        let rows: Vec<Self> = push_settings::table
            .filter(push_settings::app_id.eq_any(app_ids))
            .select(Self::as_select())
            .load(conn)?;
        let mut map: HashMap<i64, Self> = rows.into_iter().map(|r| (r.app_id, r)).collect();
        for id in app_ids {
            map.entry(*id).or_insert_with(|| Self {
                app_id: *id,
                ..Self::default()
            });
        }
        Ok(map)
    }

    pub fn etag(&self) -> String {
        format!("\"push-settings-{}-{}\"", self.app_id, self.version)
    }

    /// Stores `self` as the app's settings, one version on.
    pub fn save(mut self, conn: &mut DbConn) -> StoreResult<Self> {
        self.version += 1;
        let exists = diesel::update(push_settings::table.find(self.app_id))
            .set(&self)
            .execute(conn)?
            > 0;
        if !exists {
            diesel::insert_into(push_settings::table)
                .values(&self)
                .execute(conn)?;
        }
        Ok(self)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = push_messages)]
pub struct MessageRow {
    pub id: i64,
    pub app_id: i64,
    #[diesel(deserialize_as = Stored<PushKind>)]
    pub kind: PushKind,
    pub title: String,
    pub body: String,
    pub deep_link: Option<String>,
    pub image_url: Option<String>,
    pub data: Option<String>,
    pub target: Option<String>,
    #[diesel(deserialize_as = Stored<PushStatus>)]
    pub status: PushStatus,
    pub send_at: Option<NaiveDateTime>,
    pub local_time: Option<String>,
    pub fanout_after: Option<i64>,
    pub fanned_out: bool,
    pub targeted: i32,
    pub sent: i32,
    pub failed: i32,
    pub created_by: Option<i64>,
    pub started_at: Option<NaiveDateTime>,
    pub finished_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = push_messages)]
pub struct NewMessage {
    pub app_id: i64,
    pub kind: &'static str,
    pub title: String,
    pub body: String,
    pub deep_link: Option<String>,
    pub image_url: Option<String>,
    pub data: Option<String>,
    pub target: Option<String>,
    pub status: &'static str,
    pub send_at: Option<NaiveDateTime>,
    pub local_time: Option<String>,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Changes to a draft or scheduled message; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = push_messages)]
pub struct MessageChanges {
    pub title: Option<String>,
    pub body: Option<String>,
    pub deep_link: Option<Option<String>>,
    pub image_url: Option<Option<String>>,
    pub data: Option<Option<String>>,
    pub target: Option<Option<String>>,
    pub status: Option<&'static str>,
    pub send_at: Option<Option<NaiveDateTime>>,
    pub local_time: Option<Option<String>>,
}

impl MessageRow {
    pub fn etag(&self) -> String {
        format!("\"push-message-{}-{}\"", self.id, self.version)
    }

    pub fn target(&self) -> Option<PushTarget> {
        self.target
            .as_deref()
            .and_then(|t| serde_json::from_str(t).ok())
    }

    pub fn data(&self) -> Option<BTreeMap<String, String>> {
        self.data
            .as_deref()
            .and_then(|d| serde_json::from_str(d).ok())
    }

    pub fn insert(conn: &mut DbConn, new: &NewMessage) -> StoreResult<Self> {
        let id: i64 = diesel::insert_into(push_messages::table)
            .values(new)
            .returning(push_messages::id)
            .get_result(conn)?;
        Self::find(conn, new.app_id, id)
    }

    /// The app's message `id`; another app's is a 404.
    pub fn find(conn: &mut DbConn, app_id: i64, id: i64) -> StoreResult<Self> {
        push_messages::table
            .filter(push_messages::id.eq(id))
            .filter(push_messages::app_id.eq(app_id))
            .select(Self::as_select())
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> StoreResult<Vec<Self>> {
        Ok(push_messages::table
            .filter(push_messages::id.eq_any(ids))
            .select(Self::as_select())
            .load(conn)?)
    }

    pub fn list(
        conn: &mut DbConn,
        app_id: i64,
        status: Option<PushStatus>,
        kind: PushKind,
        paging: &Paging<(NaiveDateTime, i64)>,
    ) -> StoreResult<(Vec<Self>, i64)> {
        let filtered = || {
            let mut query = push_messages::table
                .filter(push_messages::app_id.eq(app_id))
                .filter(push_messages::kind.eq(kind.as_str()))
                .into_boxed();
            if let Some(status) = status {
                query = query.filter(push_messages::status.eq(status.as_str()));
            }
            query
        };
        let total = filtered().count().get_result(conn)?;
        let mut query = filtered();
        if let Some(key) = paging.after {
            query = query.filter(created_before("push_messages", key));
        }
        let rows = query
            .order((push_messages::created_at.desc(), push_messages::id.desc()))
            .limit(paging.limit)
            .offset(paging.offset)
            .select(Self::as_select())
            .load(conn)?;
        Ok((rows, total))
    }

    /// Applies `changes` and bumps the version.
    pub fn update(conn: &mut DbConn, row: &Self, changes: &MessageChanges) -> StoreResult<Self> {
        diesel::update(push_messages::table.find(row.id))
            .set((
                changes,
                push_messages::version.eq(push_messages::version + 1),
                push_messages::updated_at.eq(crate::clock::now()),
            ))
            .execute(conn)?;
        Self::find(conn, row.app_id, row.id)
    }

    /// Moves the message from one of `from` to `to`; whether it was in one of them.
    pub fn transition(
        conn: &mut DbConn,
        id: i64,
        from: &[PushStatus],
        to: PushStatus,
        now: NaiveDateTime,
    ) -> StoreResult<bool> {
        let from: Vec<&str> = from.iter().map(|s| s.as_str()).collect();
        let started = matches!(to, PushStatus::Sending).then_some(now);
        let finished = matches!(
            to,
            PushStatus::Sent | PushStatus::Failed | PushStatus::Canceled
        )
        .then_some(now);
        let moved = diesel::update(
            push_messages::table
                .filter(push_messages::id.eq(id))
                .filter(push_messages::status.eq_any(from)),
        )
        .set((
            push_messages::status.eq(to.as_str()),
            push_messages::version.eq(push_messages::version + 1),
            push_messages::updated_at.eq(now),
        ))
        .execute(conn)?
            > 0;
        if moved {
            if let Some(at) = started {
                diesel::update(push_messages::table.find(id))
                    .set(push_messages::started_at.eq(at))
                    .execute(conn)?;
                diesel::update(
                    push_messages::table
                        .find(id)
                        .filter(push_messages::send_at.is_null()),
                )
                .set(push_messages::send_at.eq(at))
                .execute(conn)?;
            }
            if let Some(at) = finished {
                diesel::update(push_messages::table.find(id))
                    .set(push_messages::finished_at.eq(at))
                    .execute(conn)?;
            }
        }
        Ok(moved)
    }

    pub fn delete(conn: &mut DbConn, id: i64) -> StoreResult<()> {
        diesel::delete(push_messages::table.find(id)).execute(conn)?;
        Ok(())
    }

    /// Scheduled messages whose time has come, locked for this transaction (others skip them).
    pub fn claim_due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> StoreResult<Vec<i64>> {
        macro_rules! due {
            () => {
                push_messages::table
                    .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                        "push_messages.status = 'scheduled'",
                    ))
                    .filter(push_messages::send_at.le(now))
                    .order((push_messages::send_at.asc(), push_messages::id.asc()))
                    .limit(limit)
                    .select(push_messages::id)
            };
        }
        Ok(match conn {
            DbConn::Postgres(pg) => due!().for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(sqlite) => due!().load(sqlite)?,
        })
    }

    /// One sending message still to fan out, locked for this transaction.
    pub fn claim_fanout(conn: &mut DbConn) -> StoreResult<Option<Self>> {
        macro_rules! todo_ {
            () => {
                push_messages::table
                    .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                        "push_messages.status = 'sending' AND push_messages.fanned_out = FALSE",
                    ))
                    .order(push_messages::id.asc())
                    .limit(1)
                    .select(Self::as_select())
            };
        }
        Ok(match conn {
            DbConn::Postgres(pg) => todo_!().for_update().skip_locked().first(pg).optional()?,
            DbConn::Sqlite(sqlite) => todo_!().first(sqlite).optional()?,
        })
    }

    /// Records a fan-out chunk: the last device done, how many deliveries it made (and how many
    /// of them the daily cap failed), whether it was the last.
    pub fn fanned(
        conn: &mut DbConn,
        id: i64,
        last_device: Option<i64>,
        made: i32,
        capped: i32,
        done: bool,
    ) -> StoreResult<()> {
        diesel::update(push_messages::table.find(id))
            .set((
                push_messages::targeted.eq(push_messages::targeted + made),
                push_messages::failed.eq(push_messages::failed + capped),
                push_messages::fanned_out.eq(done),
            ))
            .execute(conn)?;
        if let Some(last) = last_device {
            diesel::update(push_messages::table.find(id))
                .set(push_messages::fanout_after.eq(last))
                .execute(conn)?;
        }
        Ok(())
    }

    /// Adds to a message's figures.
    pub fn count(conn: &mut DbConn, id: i64, sent: i32, failed: i32) -> StoreResult<()> {
        if sent == 0 && failed == 0 {
            return Ok(());
        }
        diesel::update(push_messages::table.find(id))
            .set((
                push_messages::sent.eq(push_messages::sent + sent),
                push_messages::failed.eq(push_messages::failed + failed),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// A sending message that is fanned out and has nothing pending becomes `sent` (or `failed`
    /// when nothing at all was delivered of what it targeted).
    /// Whether it finished it.
    pub fn finish_if_done(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> StoreResult<bool> {
        let row: Option<(bool, String, i32, i32)> = push_messages::table
            .find(id)
            .select((
                push_messages::fanned_out,
                push_messages::status,
                push_messages::sent,
                push_messages::failed,
            ))
            .first(conn)
            .optional()?;
        let Some((true, status, sent, failed)) = row else {
            return Ok(false);
        };
        if status != PushStatus::Sending.as_str() {
            return Ok(false);
        }
        // The literal condition lets the planner use `push_deliveries_pending`.
        let pending: bool = diesel::select(diesel::dsl::exists(
            push_deliveries::table
                .filter(push_deliveries::message_id.eq(id))
                .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "push_deliveries.status = 'pending'",
                )),
        ))
        .get_result(conn)?;
        if pending {
            return Ok(false);
        }
        let to = if sent == 0 && failed > 0 {
            PushStatus::Failed
        } else {
            PushStatus::Sent
        };
        Self::transition(conn, id, &[PushStatus::Sending], to, now)
    }

    /// Stops what is left: pending deliveries become `canceled`.
    pub fn cancel_pending(conn: &mut DbConn, id: i64) -> StoreResult<usize> {
        Ok(diesel::update(
            push_deliveries::table
                .filter(push_deliveries::message_id.eq(id))
                .filter(push_deliveries::status.eq("pending")),
        )
        .set(push_deliveries::status.eq("canceled"))
        .execute(conn)?)
    }
}

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
    let sent: Vec<HourCount> = super::events::load(conn, &sent_sql)?;
    let opened: Vec<HourCount> = super::events::load(conn, &opened_sql)?;
    let mut hours: BTreeMap<NaiveDateTime, (i64, i64)> = BTreeMap::new();
    for h in sent {
        hours.entry(h.hour).or_default().0 += h.n;
    }
    for h in opened {
        hours.entry(h.hour).or_default().1 += h.n;
    }
    Ok(hours.into_iter().map(|(h, (s, o))| (h, s, o)).collect())
}

/// Whom a target reaches in one app, resolved against the app's devices: the app versions and
/// locales it takes are read from the few distinct values the devices report, so the device
/// query itself is plain `IN` lists.
#[derive(Debug, Clone)]
pub struct Audience {
    app_id: i64,
    platforms: Option<Vec<&'static str>>,
    versions: Option<Vec<String>>,
    locales: Option<Vec<String>>,
    seen_since: Option<NaiveDateTime>,
}

type DeviceQuery<'a> = devices::BoxedQuery<'a, <DbConn as diesel::Connection>::Backend>;

impl Audience {
    pub fn resolve(
        conn: &mut DbConn,
        app_id: i64,
        target: Option<&PushTarget>,
        now: NaiveDateTime,
    ) -> StoreResult<Self> {
        let target = target.cloned().unwrap_or_default();
        let versions = if target.app_version_min.is_some() || target.app_version_max.is_some() {
            let min = target
                .app_version_min
                .as_deref()
                .map(types::push::version_key);
            let max = target
                .app_version_max
                .as_deref()
                .map(types::push::version_key);
            let all: Vec<String> = devices::table
                .filter(devices::app_id.eq(app_id))
                .select(devices::app_version)
                .distinct()
                .load(conn)?;
            Some(
                all.into_iter()
                    .filter(|v| {
                        let key = types::push::version_key(v);
                        min.as_ref().is_none_or(|m| &key >= m)
                            && max.as_ref().is_none_or(|m| &key <= m)
                    })
                    .collect(),
            )
        } else {
            None
        };
        let locales = match &target.locales {
            Some(wanted) => {
                let all: Vec<Option<String>> = devices::table
                    .filter(devices::app_id.eq(app_id))
                    .select(devices::locale)
                    .distinct()
                    .load(conn)?;
                Some(
                    all.into_iter()
                        .flatten()
                        .filter(|l| wanted.iter().any(|w| types::push::locale_matches(w, l)))
                        .collect(),
                )
            }
            None => None,
        };
        Ok(Self {
            app_id,
            platforms: target
                .platforms
                .map(|p| p.iter().map(|p| p.as_str()).collect()),
            versions,
            locales,
            seen_since: target
                .last_seen_within_days
                .map(|d| now - chrono::Duration::days(i64::from(d))),
        })
    }

    /// The app's devices this audience takes: push on, a token, not a dead one.
    fn devices(&self) -> DeviceQuery<'_> {
        let mut query = devices::table
            .filter(devices::app_id.eq(self.app_id))
            .filter(devices::push_enabled.eq(true))
            .filter(devices::push_token.is_not_null())
            .filter(
                devices::dead_push_token
                    .is_null()
                    .or(devices::dead_push_token.ne(devices::push_token)),
            )
            .into_boxed();
        if let Some(platforms) = &self.platforms {
            query = query.filter(devices::platform.eq_any(platforms.clone()));
        }
        if let Some(versions) = &self.versions {
            query = query.filter(devices::app_version.eq_any(versions.clone()));
        }
        if let Some(locales) = &self.locales {
            query = query.filter(devices::locale.eq_any(locales.clone()));
        }
        if let Some(since) = self.seen_since {
            query = query.filter(devices::last_seen_at.ge(since));
        }
        query
    }

    pub fn count(&self, conn: &mut DbConn) -> StoreResult<i64> {
        Ok(self.devices().count().get_result(conn)?)
    }

    /// Whether the audience takes device `id`.
    pub fn includes(&self, conn: &mut DbConn, id: i64) -> StoreResult<bool> {
        let n: i64 = self
            .devices()
            .filter(devices::id.eq(id))
            .count()
            .get_result(conn)?;
        Ok(n > 0)
    }

    /// The next `limit` devices after `after`, by id: `(id, time zone)`.
    pub fn chunk(
        &self,
        conn: &mut DbConn,
        after: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<(i64, Option<String>)>> {
        Ok(self
            .devices()
            .filter(devices::id.gt(after.unwrap_or(0)))
            .order(devices::id.asc())
            .limit(limit)
            .select((devices::id, devices::timezone))
            .load(conn)?)
    }
}

/// Pushes sent to each of `device_ids` since `since`.
pub fn sent_since(
    conn: &mut DbConn,
    device_ids: &[i64],
    since: NaiveDateTime,
) -> StoreResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = push_deliveries::table
        .filter(push_deliveries::device_id.eq_any(device_ids))
        .filter(push_deliveries::sent_at.ge(since))
        .filter(push_deliveries::status.eq("sent"))
        .group_by(push_deliveries::device_id)
        .select((push_deliveries::device_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

#[derive(Debug, Insertable)]
#[diesel(table_name = push_deliveries)]
pub struct NewDelivery {
    pub message_id: i64,
    pub device_id: i64,
    pub status: &'static str,
    pub next_attempt_at: NaiveDateTime,
    pub reason: Option<&'static str>,
    pub created_at: NaiveDateTime,
}

pub fn insert_deliveries(conn: &mut DbConn, rows: &[NewDelivery]) -> StoreResult<()> {
    for chunk in rows.chunks(5000) {
        crate::insert_many!(conn, push_deliveries::table, chunk)?;
    }
    Ok(())
}

/// A claimed delivery with what sending it needs.
#[derive(Debug, Clone, Queryable)]
pub struct Claimed {
    pub id: i64,
    pub message_id: i64,
    pub attempts: i32,
    pub device_id: i64,
    pub app_id: i64,
    pub platform: String,
    pub push_token: Option<String>,
    pub timezone: Option<String>,
}

impl Claimed {
    pub fn platform(&self) -> Option<Platform> {
        self.platform.parse().ok()
    }
}

/// Claims up to `limit` due deliveries (row locks on PostgreSQL: replicas skip them) and holds
/// them for `lease`: a process that dies mid-send leaves them to be claimed again after it.
pub fn claim_due(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
    lease: chrono::Duration,
) -> StoreResult<Vec<Claimed>> {
    macro_rules! due {
        () => {
            push_deliveries::table
                .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "push_deliveries.status = 'pending'",
                ))
                .filter(push_deliveries::next_attempt_at.le(now))
                .order((
                    push_deliveries::next_attempt_at.asc(),
                    push_deliveries::id.asc(),
                ))
                .limit(limit)
                .select(push_deliveries::id)
        };
    }
    let ids: Vec<i64> = match conn {
        DbConn::Postgres(pg) => due!().for_update().skip_locked().load(pg)?,
        DbConn::Sqlite(sqlite) => due!().load(sqlite)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(push_deliveries::table.filter(push_deliveries::id.eq_any(&ids)))
        .set(push_deliveries::next_attempt_at.eq(now + lease))
        .execute(conn)?;
    Ok(push_deliveries::table
        .inner_join(devices::table)
        .filter(push_deliveries::id.eq_any(&ids))
        .order(push_deliveries::id.asc())
        .select((
            push_deliveries::id,
            push_deliveries::message_id,
            push_deliveries::attempts,
            devices::id,
            devices::app_id,
            devices::platform,
            devices::push_token,
            devices::timezone,
        ))
        .load(conn)?)
}

/// Marks deliveries sent (also those canceled while they were on their way: they went out);
/// how many per message.
pub fn mark_sent(
    conn: &mut DbConn,
    ids: &[i64],
    now: NaiveDateTime,
) -> StoreResult<HashMap<i64, i32>> {
    let mut per_message = HashMap::new();
    for chunk in ids.chunks(5000) {
        let done: Vec<i64> = diesel::update(
            push_deliveries::table
                .filter(push_deliveries::id.eq_any(chunk))
                .filter(push_deliveries::status.eq_any(["pending", "canceled"])),
        )
        .set((
            push_deliveries::status.eq("sent"),
            push_deliveries::sent_at.eq(now),
            push_deliveries::attempts.eq(push_deliveries::attempts + 1),
        ))
        .returning(push_deliveries::message_id)
        .get_results(conn)?;
        for message in done {
            *per_message.entry(message).or_insert(0) += 1;
        }
    }
    Ok(per_message)
}

/// Marks one delivery failed for good (unless it was canceled meanwhile); its message, if so.
pub fn mark_failed(
    conn: &mut DbConn,
    id: i64,
    reason: &str,
    error: &str,
) -> StoreResult<Option<i64>> {
    Ok(diesel::update(
        push_deliveries::table
            .filter(push_deliveries::id.eq(id))
            .filter(push_deliveries::status.eq_any(["pending", "canceled"])),
    )
    .set((
        push_deliveries::status.eq("failed"),
        push_deliveries::reason.eq(reason),
        push_deliveries::error.eq(error),
        push_deliveries::attempts.eq(push_deliveries::attempts + 1),
    ))
    .returning(push_deliveries::message_id)
    .get_result(conn)
    .optional()?)
}

/// Tries one delivery again at `at` (an attempt made, when `attempted`).
pub fn retry_at(
    conn: &mut DbConn,
    id: i64,
    at: NaiveDateTime,
    error: Option<&str>,
    attempted: bool,
) -> StoreResult<()> {
    let extra = i32::from(attempted);
    diesel::update(
        push_deliveries::table
            .filter(push_deliveries::id.eq(id))
            .filter(push_deliveries::status.eq("pending")),
    )
    .set((
        push_deliveries::next_attempt_at.eq(at),
        push_deliveries::error.eq(error),
        push_deliveries::attempts.eq(push_deliveries::attempts + extra),
    ))
    .execute(conn)?;
    Ok(())
}

/// The providers called these devices' tokens dead: they are not targeted again until the app
/// registers another token.
pub fn bury_tokens(conn: &mut DbConn, device_ids: &[i64]) -> StoreResult<()> {
    if device_ids.is_empty() {
        return Ok(());
    }
    diesel::update(devices::table.filter(devices::id.eq_any(device_ids)))
        .set(devices::dead_push_token.eq(devices::push_token))
        .execute(conn)?;
    Ok(())
}
