//! Push messages: their rows, lists and state changes.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::push::{PushKind, PushStatus, PushTarget};

use crate::error::{StoreError, StoreResult};
use crate::page::{created_before, Paging};
use crate::schema::{push_deliveries, push_messages};
use crate::stored::Stored;
use crate::DbConn;

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

crate::versioned!(MessageRow, "push-message");

impl MessageRow {
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
        if ids.is_empty() {
            return Ok(Vec::new());
        }
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
