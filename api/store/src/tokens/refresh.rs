//! Rotating refresh tokens: a session is a family of them, each used once.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::error::StoreResult;
use crate::schema::refresh_tokens;
use crate::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub id: i64,
    pub account_id: i64,
    pub family_id: String,
    pub token_hash: String,
    pub impersonator_id: Option<i64>,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub read_only: bool,
    /// For "log in as" sessions: the hard end, never extended by refreshing.
    pub session_expires_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct NewRefreshToken<'a> {
    pub account_id: i64,
    pub family_id: &'a str,
    pub token_hash: &'a str,
    pub impersonator_id: Option<i64>,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub read_only: bool,
    pub session_expires_at: Option<NaiveDateTime>,
}

impl RefreshTokenRow {
    pub fn insert(conn: &mut DbConn, new: &NewRefreshToken<'_>) -> StoreResult<()> {
        diesel::insert_into(refresh_tokens::table)
            .values(new)
            .execute(conn)?;
        Ok(())
    }

    pub fn find_by_hash(conn: &mut DbConn, hash: &str) -> StoreResult<Option<Self>> {
        Ok(refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(hash))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// Marks this token spent; false when another request spent it first.
    pub fn mark_used(conn: &mut DbConn, id: i64) -> StoreResult<bool> {
        let updated = diesel::update(
            refresh_tokens::table
                .find(id)
                .filter(refresh_tokens::used_at.is_null()),
        )
        .set(refresh_tokens::used_at.eq(crate::clock::now()))
        .execute(conn)?;
        Ok(updated == 1)
    }

    /// Whether the session `family_id` of `account_id` is live: it exists and was never revoked
    /// (signed out, reused, ended by a password reset or a lock). Access tokens name their
    /// session, and the request gate asks this of each.
    pub fn session_is_live(
        conn: &mut DbConn,
        account_id: i64,
        family_id: &str,
    ) -> StoreResult<bool> {
        use diesel::dsl::{exists, not};
        let family =
            || refresh_tokens::table.filter(refresh_tokens::family_id.eq(family_id.to_owned()));
        Ok(diesel::select(
            exists(family().filter(refresh_tokens::account_id.eq(account_id))).and(not(exists(
                family().filter(refresh_tokens::revoked_at.is_not_null()),
            ))),
        )
        .get_result(conn)?)
    }

    /// Ends every "log in as" session that `impersonator_id` opened (it was locked or removed).
    pub fn revoke_impersonations_by(conn: &mut DbConn, impersonator_id: i64) -> StoreResult<()> {
        diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::impersonator_id.eq(impersonator_id))
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::revoked_at.eq(crate::clock::now()))
        .execute(conn)?;
        Ok(())
    }

    /// Ends every "log in as" session opened as `account_id` (it no longer allows them).
    pub fn revoke_impersonations_of(conn: &mut DbConn, account_id: i64) -> StoreResult<()> {
        diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::account_id.eq(account_id))
                .filter(refresh_tokens::impersonator_id.is_not_null())
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::revoked_at.eq(crate::clock::now()))
        .execute(conn)?;
        Ok(())
    }

    pub fn revoke_family(conn: &mut DbConn, family_id: &str) -> StoreResult<()> {
        diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::family_id.eq(family_id))
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::revoked_at.eq(crate::clock::now()))
        .execute(conn)?;
        Ok(())
    }

    /// Signs an account out of every session.
    pub fn revoke_all_of(conn: &mut DbConn, account_id: i64) -> StoreResult<()> {
        diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::account_id.eq(account_id))
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::revoked_at.eq(crate::clock::now()))
        .execute(conn)?;
        Ok(())
    }
}
