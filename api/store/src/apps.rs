//! Apps (who may reach them is `scope::Scope`).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::apps::{App, AppEdition, AppKind, AppSort};

use super::accounts::{escape_like, lower, AccountsRule};
use super::page::{created_before, Paging};
use super::schema::{accounts, apps};
use super::stored::Stored;
use super::DbConn;
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = apps)]
pub struct AppRow {
    pub id: i64,
    pub owner_id: i64,
    pub name: String,
    #[diesel(deserialize_as = Stored<AppKind>)]
    pub kind: AppKind,
    #[diesel(deserialize_as = Stored<AppEdition>)]
    pub edition: AppEdition,
    pub store_url: Option<String>,
    pub icon_url: Option<String>,
    pub ios_bundle_id: Option<String>,
    pub android_package_name: Option<String>,
    pub app_key: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = apps)]
pub struct NewApp {
    pub owner_id: i64,
    pub name: String,
    pub kind: String,
    pub edition: String,
    pub store_url: Option<String>,
    pub icon_url: Option<String>,
    pub ios_bundle_id: Option<String>,
    pub android_package_name: Option<String>,
    pub app_key: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Fields a `PATCH` may change; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = apps)]
pub struct AppChanges {
    pub name: Option<String>,
    pub edition: Option<String>,
    pub store_url: Option<Option<String>>,
    pub icon_url: Option<Option<String>>,
    pub ios_bundle_id: Option<Option<String>>,
    pub android_package_name: Option<Option<String>>,
    pub app_key: Option<String>,
}

/// Filters of the apps list, already parsed.
#[derive(Debug, Default)]
pub struct AppQuery {
    pub q: Option<String>,
    pub kind: Option<AppKind>,
    pub edition: Option<AppEdition>,
    pub owner_id: Option<i64>,
    /// Only these apps (an API token limited to them).
    pub only: Option<Vec<i64>>,
    pub sort: AppSort,
}

/// An app with its owner's email, as lists and details show it.
pub type AppWithOwner = (AppRow, String);

crate::versioned!(AppRow, "app");

impl AppRow {
    pub fn kind(&self) -> AppKind {
        self.kind
    }

    pub fn edition(&self) -> AppEdition {
        self.edition
    }

    pub fn find_with_owner(conn: &mut DbConn, id: i64) -> StoreResult<Option<AppWithOwner>> {
        Ok(apps::table
            .inner_join(accounts::table)
            .filter(apps::id.eq(id))
            .select((Self::as_select(), accounts::email))
            .first(conn)
            .optional()?)
    }

    pub fn find_by_key(conn: &mut DbConn, key: &str) -> StoreResult<Option<Self>> {
        Ok(apps::table
            .filter(apps::app_key.eq(key))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn insert(conn: &mut DbConn, new: &NewApp) -> StoreResult<AppWithOwner> {
        let id: i64 = diesel::insert_into(apps::table)
            .values(new)
            .returning(apps::id)
            .get_result(conn)?;
        Self::find_with_owner(conn, id)?.ok_or(StoreError::NotFound)
    }

    /// Applies `changes` and bumps the version (the ETag).
    pub fn update(conn: &mut DbConn, id: i64, changes: &AppChanges) -> StoreResult<AppWithOwner> {
        diesel::update(apps::table.find(id))
            .set((
                changes,
                apps::version.eq(apps::version + 1),
                apps::updated_at.eq(crate::clock::now()),
            ))
            .execute(conn)?;
        Self::find_with_owner(conn, id)?.ok_or(StoreError::NotFound)
    }

    /// Deletes the app with its devices, events and mobile users.
    pub fn delete(conn: &mut DbConn, id: i64) -> StoreResult<()> {
        diesel::delete(apps::table.find(id)).execute(conn)?;
        Ok(())
    }

    pub fn count_owned_by(conn: &mut DbConn, owner_id: i64) -> StoreResult<i64> {
        Ok(apps::table
            .filter(apps::owner_id.eq(owner_id))
            .count()
            .get_result(conn)?)
    }

    /// One page of the apps whose owner is among `owners` (all when `None`), and the total
    /// matching the filters.
    pub fn list(
        conn: &mut DbConn,
        owners: Option<AccountsRule>,
        filter: &AppQuery,
        paging: &Paging<(NaiveDateTime, i64)>,
    ) -> StoreResult<(Vec<AppWithOwner>, i64)> {
        let build = || {
            let mut query = apps::table.inner_join(accounts::table).into_boxed();
            // The joined account is the owner.
            if let Some(owners) = owners {
                query = query.filter(owners);
            }
            if let Some(only) = &filter.only {
                query = query.filter(apps::id.eq_any(only.clone()));
            }
            if let Some(owner) = filter.owner_id {
                query = query.filter(apps::owner_id.eq(owner));
            }
            if let Some(kind) = filter.kind {
                query = query.filter(apps::kind.eq(kind.as_str()));
            }
            if let Some(edition) = filter.edition {
                query = query.filter(apps::edition.eq(edition.as_str()));
            }
            if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
                query = query.filter(lower(apps::name).like(pattern).escape('\\'));
            }
            query
        };
        let total = build().count().get_result::<i64>(conn)?;
        let mut query = build();
        if let Some(after) = paging.after {
            query = query.filter(created_before("apps", after));
        }
        let query = match filter.sort {
            AppSort::CreatedDesc => query.order((apps::created_at.desc(), apps::id.desc())),
            AppSort::CreatedAsc => query.order((apps::created_at.asc(), apps::id.asc())),
            AppSort::NameAsc => query.order((lower(apps::name).asc(), apps::id.asc())),
            AppSort::NameDesc => query.order((lower(apps::name).desc(), apps::id.desc())),
        };
        let rows = query
            .select((Self::as_select(), accounts::email))
            .limit(paging.limit)
            .offset(paging.offset)
            .load(conn)?;
        Ok((rows, total))
    }

    /// The wire form.
    pub fn to_wire(&self, owner_email: &str) -> App {
        App {
            id: self.id.to_string(),
            name: self.name.clone(),
            kind: self.kind(),
            edition: self.edition(),
            owner_id: self.owner_id.to_string(),
            owner_email: owner_email.to_owned(),
            store_url: self.store_url.clone(),
            icon_url: self.icon_url.clone(),
            ios_bundle_id: self.ios_bundle_id.clone(),
            android_package_name: self.android_package_name.clone(),
            app_key: self.app_key.clone(),
            created_at: super::utc(self.created_at),
            updated_at: super::utc(self.updated_at),
        }
    }
}
