//! Publish requests, their timelines, and uploaded store assets.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::publishing::{AssetKind, PublishFilter, PublishStatus, Store};

use super::page::{created_before, Paging};
use super::schema::{apps, assets, publish_events, publish_requests};
use super::stored::Stored;
use super::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = publish_requests)]
pub struct PublishRow {
    pub id: i64,
    pub app_id: i64,
    #[diesel(deserialize_as = Stored<Store>)]
    pub store: Store,
    pub version_name: String,
    pub build_number: i64,
    /// JSON array of `ReleaseNote`.
    pub release_notes: String,
    /// JSON `Listing`.
    pub listing: String,
    #[diesel(deserialize_as = Stored<PublishStatus>)]
    pub status: PublishStatus,
    pub revision: i32,
    pub review_note: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub decided_at: Option<NaiveDateTime>,
    pub created_by: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = publish_requests)]
pub struct NewPublish {
    pub app_id: i64,
    pub store: &'static str,
    pub version_name: String,
    pub build_number: i64,
    pub release_notes: String,
    pub listing: String,
    pub status: &'static str,
    pub created_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Columns to change; `None` leaves one as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = publish_requests)]
pub struct PublishChanges {
    pub version_name: Option<String>,
    pub build_number: Option<i64>,
    pub release_notes: Option<String>,
    pub listing: Option<String>,
    pub status: Option<&'static str>,
    pub revision: Option<i32>,
    pub review_note: Option<Option<String>>,
    pub submitted_at: Option<Option<NaiveDateTime>>,
    pub decided_at: Option<Option<NaiveDateTime>>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = publish_events)]
pub struct EventRow {
    pub id: i64,
    pub request_id: i64,
    #[diesel(deserialize_as = Stored<PublishStatus>)]
    pub status: PublishStatus,
    pub revision: i32,
    pub note: Option<String>,
    pub actor_email: Option<String>,
    pub created_at: NaiveDateTime,
}

type Filtered<'a> = publish_requests::BoxedQuery<'a, <DbConn as diesel::Connection>::Backend>;

/// A request waits at the store from its submission.
const WAITING: [&str; 2] = ["submitted", "in_review"];

crate::versioned!(PublishRow, "publish");

impl PublishRow {
    pub fn key(&self) -> (NaiveDateTime, i64) {
        (self.created_at, self.id)
    }

    pub fn insert(conn: &mut DbConn, new: &NewPublish) -> StoreResult<Self> {
        let id: i64 = diesel::insert_into(publish_requests::table)
            .values(new)
            .returning(publish_requests::id)
            .get_result(conn)?;
        Self::find(conn, Scope::All, id)
    }

    /// The request `id` of an app within `scope`; others are 404.
    pub fn find(conn: &mut DbConn, scope: Scope, id: i64) -> StoreResult<Self> {
        Self::filtered(scope, &PublishFilter::default(), None)
            .filter(publish_requests::id.eq(id))
            .select(Self::as_select())
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    /// The request `id` of the app `app_id`, locked for the transaction.
    pub fn lock(conn: &mut DbConn, app_id: i64, id: i64) -> StoreResult<Self> {
        macro_rules! one {
            () => {
                publish_requests::table
                    .filter(publish_requests::app_id.eq(app_id))
                    .filter(publish_requests::id.eq(id))
                    .select(Self::as_select())
            };
        }
        let row = match conn {
            DbConn::Postgres(pg) => one!().for_update().first(pg).optional()?,
            DbConn::Sqlite(sqlite) => one!().first(sqlite).optional()?,
        };
        row.ok_or(StoreError::NotFound)
    }

    pub fn update(
        conn: &mut DbConn,
        id: i64,
        changes: &PublishChanges,
        now: NaiveDateTime,
    ) -> StoreResult<Self> {
        diesel::update(publish_requests::table.find(id))
            .set((
                changes,
                publish_requests::version.eq(publish_requests::version + 1),
                publish_requests::updated_at.eq(now),
            ))
            .execute(conn)?;
        Self::find(conn, Scope::All, id)
    }

    /// `waiting_since`: requests submitted at or before it (and still waiting).
    fn filtered(
        scope: Scope,
        filter: &PublishFilter,
        waiting_since: Option<NaiveDateTime>,
    ) -> Filtered<'static> {
        let mut q = publish_requests::table.into_boxed();
        if let Some(apps) = scope.app_ids() {
            q = q.filter(publish_requests::app_id.eq_any(apps));
        }
        if let Some(app) = filter.app_id.as_deref().and_then(|a| a.parse::<i64>().ok()) {
            q = q.filter(publish_requests::app_id.eq(app));
        }
        if let Some(store) = filter.store {
            q = q.filter(publish_requests::store.eq(store.as_str()));
        }
        if let Some(status) = filter.status {
            q = q.filter(publish_requests::status.eq(status.as_str()));
        }
        if let Some(since) = waiting_since {
            q = q
                .filter(publish_requests::status.eq_any(WAITING))
                .filter(publish_requests::submitted_at.le(since));
        }
        q
    }

    /// Newest first, and the total. `waiting_since` keeps requests waiting since then or longer.
    pub fn list(
        conn: &mut DbConn,
        scope: Scope,
        filter: &PublishFilter,
        waiting_since: Option<NaiveDateTime>,
        paging: &Paging<(NaiveDateTime, i64)>,
    ) -> StoreResult<(Vec<Self>, i64)> {
        let total = Self::filtered(scope, filter, waiting_since)
            .count()
            .get_result::<i64>(conn)?;
        let mut q = Self::filtered(scope, filter, waiting_since);
        if let Some(after) = paging.after {
            q = q.filter(created_before("publish_requests", after));
        }
        let rows = q
            .order((
                publish_requests::created_at.desc(),
                publish_requests::id.desc(),
            ))
            .select(Self::as_select())
            .limit(paging.limit)
            .offset(paging.offset)
            .load(conn)?;
        Ok((rows, total))
    }

    /// The app's request last published on `store`.
    pub fn live(conn: &mut DbConn, app_id: i64, store: Store) -> StoreResult<Option<Self>> {
        Ok(publish_requests::table
            .filter(publish_requests::app_id.eq(app_id))
            .filter(publish_requests::store.eq(store.as_str()))
            .filter(publish_requests::status.eq(PublishStatus::Published.as_str()))
            .order((
                publish_requests::decided_at.desc(),
                publish_requests::id.desc(),
            ))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// The app's request waiting at `store` (at most one: submitting replaces or refuses).
    pub fn waiting(conn: &mut DbConn, app_id: i64, store: Store) -> StoreResult<Option<Self>> {
        Ok(publish_requests::table
            .filter(publish_requests::app_id.eq(app_id))
            .filter(publish_requests::store.eq(store.as_str()))
            .filter(publish_requests::status.eq_any(WAITING))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// The request's timeline, oldest first.
    pub fn events(conn: &mut DbConn, id: i64) -> StoreResult<Vec<EventRow>> {
        Ok(publish_events::table
            .filter(publish_events::request_id.eq(id))
            .order(publish_events::id.asc())
            .select(EventRow::as_select())
            .load(conn)?)
    }

    /// Adds a step to the request's timeline.
    pub fn record(
        &self,
        conn: &mut DbConn,
        note: Option<&str>,
        actor_email: Option<&str>,
        now: NaiveDateTime,
    ) -> StoreResult<()> {
        diesel::insert_into(publish_events::table)
            .values((
                publish_events::request_id.eq(self.id),
                publish_events::status.eq(self.status.as_str()),
                publish_events::revision.eq(self.revision),
                publish_events::note.eq(note),
                publish_events::actor_email.eq(actor_email),
                publish_events::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }
}

/// The names of the apps `ids`.
pub fn app_names(
    conn: &mut DbConn,
    ids: &[i64],
) -> StoreResult<std::collections::HashMap<i64, String>> {
    Ok(apps::table
        .filter(apps::id.eq_any(ids))
        .select((apps::id, apps::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = assets)]
pub struct AssetRow {
    pub id: i64,
    pub app_id: i64,
    #[diesel(deserialize_as = Stored<AssetKind>)]
    pub kind: AssetKind,
    pub sha256: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub width: i32,
    pub height: i32,
    pub file_name: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = assets)]
pub struct NewAsset {
    pub app_id: i64,
    pub kind: &'static str,
    pub sha256: String,
    pub content_type: &'static str,
    pub size_bytes: i64,
    pub width: i32,
    pub height: i32,
    pub file_name: Option<String>,
    pub created_at: NaiveDateTime,
}

impl AssetRow {
    pub fn insert(conn: &mut DbConn, new: &NewAsset) -> StoreResult<Self> {
        let id: i64 = diesel::insert_into(assets::table)
            .values(new)
            .returning(assets::id)
            .get_result(conn)?;
        Self::find(conn, new.app_id, id)
    }

    /// The app's asset `id`; another app's is 404.
    pub fn find(conn: &mut DbConn, app_id: i64, id: i64) -> StoreResult<Self> {
        assets::table
            .filter(assets::app_id.eq(app_id))
            .filter(assets::id.eq(id))
            .select(Self::as_select())
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    /// The app's assets, newest first (an app has tens, not thousands).
    pub fn list(conn: &mut DbConn, app_id: i64) -> StoreResult<Vec<Self>> {
        Ok(assets::table
            .filter(assets::app_id.eq(app_id))
            .order(assets::id.desc())
            .limit(500)
            .select(Self::as_select())
            .load(conn)?)
    }

    /// Those of `ids` that are the app's assets of `kind`.
    pub fn of_kind(
        conn: &mut DbConn,
        app_id: i64,
        kind: AssetKind,
        ids: &[i64],
    ) -> StoreResult<Vec<i64>> {
        Ok(assets::table
            .filter(assets::app_id.eq(app_id))
            .filter(assets::kind.eq(kind.as_str()))
            .filter(assets::id.eq_any(ids))
            .select(assets::id)
            .load(conn)?)
    }
}
