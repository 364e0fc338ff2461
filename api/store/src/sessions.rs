//! Sessions as their person sees them: one row per family of refresh tokens, with where it
//! started and when it was last refreshed. Whether a session still holds is the refresh tokens'
//! business (`tokens::RefreshTokenRow`): ended when any token of its family is revoked, over
//! when its newest token expires unused.

use chrono::NaiveDateTime;
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use super::schema::{refresh_tokens, sessions};
use super::DbConn;
use crate::error::StoreResult;

/// The most sessions a list shows (a person has a handful; a script signing in in a loop, more).
const MAX_LISTED: i64 = 100;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: i64,
    pub account_id: i64,
    pub family_id: String,
    pub impersonator_id: Option<i64>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sessions)]
pub struct NewSession<'a> {
    pub account_id: i64,
    pub family_id: &'a str,
    pub impersonator_id: Option<i64>,
    pub ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub last_used_at: NaiveDateTime,
}

impl SessionRow {
    pub fn insert(conn: &mut DbConn, new: &NewSession<'_>) -> StoreResult<()> {
        diesel::insert_into(sessions::table)
            .values(new)
            .execute(conn)?;
        Ok(())
    }

    /// Notes that the session `family_id` was refreshed at `now`.
    pub fn touch(conn: &mut DbConn, family_id: &str, now: NaiveDateTime) -> StoreResult<()> {
        diesel::update(sessions::table.filter(sessions::family_id.eq(family_id)))
            .set(sessions::last_used_at.eq(now))
            .execute(conn)?;
        Ok(())
    }

    /// The sessions `account_id` signed in to itself (not "log in as" sessions of its partner)
    /// that still hold at `now`: never revoked, and with an unspent refresh token not expired.
    /// Most recently used first.
    pub fn live_of(
        conn: &mut DbConn,
        account_id: i64,
        now: NaiveDateTime,
    ) -> StoreResult<Vec<Self>> {
        let revoked = refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(sessions::family_id))
            .filter(refresh_tokens::revoked_at.is_not_null());
        let renewable = refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(sessions::family_id))
            .filter(refresh_tokens::used_at.is_null())
            .filter(refresh_tokens::expires_at.gt(now));
        Ok(sessions::table
            .filter(sessions::account_id.eq(account_id))
            .filter(sessions::impersonator_id.is_null())
            .filter(not(exists(revoked)))
            .filter(exists(renewable))
            .order((sessions::last_used_at.desc(), sessions::id.desc()))
            .limit(MAX_LISTED)
            .select(Self::as_select())
            .load(conn)?)
    }
}
