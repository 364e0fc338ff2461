//! Users of stand-alone apps.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::email::Email;
use types::mobile_users::{MobileUser, MobileUserFilter, MobileUserStatus};

use super::accounts::{escape_like, lower};
use super::page::Paging;
use super::schema::mobile_users;
use super::stored::Stored;
use super::DbConn;
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = mobile_users)]
pub struct MobileUserRow {
    pub id: i64,
    pub app_id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    #[diesel(deserialize_as = Stored<MobileUserStatus>)]
    pub status: MobileUserStatus,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The app's handle for this user (`POST sdk/mobile-users`): random, unique.
    pub sdk_ref: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = mobile_users)]
pub struct NewMobileUser {
    pub app_id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub status: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub sdk_ref: String,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = mobile_users)]
pub struct MobileUserChanges {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub phone: Option<Option<String>>,
    pub status: Option<String>,
}

type Filtered<'a> = mobile_users::BoxedQuery<'a, <DbConn as diesel::Connection>::Backend>;

crate::versioned!(MobileUserRow, "mu");

impl MobileUserRow {
    pub fn status(&self) -> MobileUserStatus {
        self.status
    }

    /// The app's user with this id; another app's is a 404.
    pub fn find(conn: &mut DbConn, app_id: i64, id: i64) -> StoreResult<Self> {
        mobile_users::table
            .filter(mobile_users::app_id.eq(app_id))
            .filter(mobile_users::id.eq(id))
            .select(Self::as_select())
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    /// The app's user with this email (stored in lower case), if any.
    pub fn find_by_email(
        conn: &mut DbConn,
        app_id: i64,
        email: &Email,
    ) -> StoreResult<Option<Self>> {
        Ok(mobile_users::table
            .filter(mobile_users::app_id.eq(app_id))
            .filter(mobile_users::email.eq(email.as_str()))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// The app's user with this SDK handle; none for another app's.
    pub fn find_by_ref(conn: &mut DbConn, app_id: i64, sdk_ref: &str) -> StoreResult<Option<Self>> {
        Ok(mobile_users::table
            .filter(mobile_users::app_id.eq(app_id))
            .filter(mobile_users::sdk_ref.eq(sdk_ref))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn email_in_use(
        conn: &mut DbConn,
        app_id: i64,
        email: &Email,
        except: Option<i64>,
    ) -> StoreResult<bool> {
        let mut query = mobile_users::table
            .filter(mobile_users::app_id.eq(app_id))
            .filter(mobile_users::email.eq(email.as_str()))
            .into_boxed();
        if let Some(id) = except {
            query = query.filter(mobile_users::id.ne(id));
        }
        Ok(query.count().get_result::<i64>(conn)? > 0)
    }

    pub fn insert(conn: &mut DbConn, new: &NewMobileUser) -> StoreResult<Self> {
        let id: i64 = diesel::insert_into(mobile_users::table)
            .values(new)
            .returning(mobile_users::id)
            .get_result(conn)?;
        Self::find(conn, new.app_id, id)
    }

    pub fn update(
        conn: &mut DbConn,
        current: &Self,
        changes: &MobileUserChanges,
    ) -> StoreResult<Self> {
        diesel::update(mobile_users::table.find(current.id))
            .set((
                changes,
                mobile_users::version.eq(mobile_users::version + 1),
                mobile_users::updated_at.eq(crate::clock::now()),
            ))
            .execute(conn)?;
        Self::find(conn, current.app_id, current.id)
    }

    pub fn delete(conn: &mut DbConn, id: i64) -> StoreResult<()> {
        diesel::delete(mobile_users::table.find(id)).execute(conn)?;
        Ok(())
    }

    fn filtered(app_id: i64, filter: &MobileUserFilter) -> Filtered<'static> {
        let mut query = mobile_users::table
            .filter(mobile_users::app_id.eq(app_id))
            .into_boxed();
        if let Some(status) = filter.status {
            query = query.filter(mobile_users::status.eq(status.as_str()));
        }
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
            query = query.filter(
                lower(mobile_users::first_name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(mobile_users::last_name)
                        .like(pattern.clone())
                        .escape('\\'))
                    .or(mobile_users::email.like(pattern).escape('\\')),
            );
        }
        query
    }

    /// One page, newest first (after the id `older_than` when paging by keyset), and the total.
    pub fn list(
        conn: &mut DbConn,
        app_id: i64,
        filter: &MobileUserFilter,
        paging: &Paging<i64>,
    ) -> StoreResult<(Vec<Self>, i64)> {
        let total = Self::filtered(app_id, filter)
            .count()
            .get_result::<i64>(conn)?;
        let mut query = Self::filtered(app_id, filter);
        if let Some(id) = paging.after {
            query = query.filter(mobile_users::id.lt(id));
        }
        let rows = query
            .order(mobile_users::id.desc())
            .select(Self::as_select())
            .limit(paging.limit)
            .offset(paging.offset)
            .load(conn)?;
        Ok((rows, total))
    }

    /// The wire form.
    pub fn to_wire(&self) -> MobileUser {
        MobileUser {
            id: self.id.to_string(),
            email: self.email.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            phone: self.phone.clone(),
            status: self.status(),
            created_at: super::utc(self.created_at),
            updated_at: super::utc(self.updated_at),
        }
    }
}
