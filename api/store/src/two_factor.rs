//! Two-factor sign-in: an account's TOTP secret, its recovery codes (hashed, single use) and the
//! challenges of sign-ins waiting for their second step.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::schema::{login_challenges, recovery_codes, two_factor};
use super::DbConn;
use crate::error::StoreResult;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = two_factor)]
pub struct TwoFactorRow {
    pub account_id: i64,
    /// Base32, as authenticator apps take it.
    pub totp_secret: String,
    /// When the person proved its app works; `None` while enrolling.
    pub confirmed_at: Option<NaiveDateTime>,
    /// The time step (30 s) of the last code accepted: only later steps are accepted.
    pub last_step: i64,
    pub created_at: NaiveDateTime,
}

impl TwoFactorRow {
    pub fn find(conn: &mut DbConn, account_id: i64) -> StoreResult<Option<Self>> {
        Ok(two_factor::table
            .find(account_id)
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// Whether `account_id` signs in with a second factor.
    pub fn is_on(conn: &mut DbConn, account_id: i64) -> StoreResult<bool> {
        Ok(Self::find(conn, account_id)?.is_some_and(|t| t.confirmed_at.is_some()))
    }

    /// Starts (or starts again) an enrolment with `secret`, not yet on.
    pub fn start(
        conn: &mut DbConn,
        account_id: i64,
        secret: &str,
        now: NaiveDateTime,
    ) -> StoreResult<()> {
        diesel::delete(two_factor::table.find(account_id)).execute(conn)?;
        diesel::insert_into(two_factor::table)
            .values((
                two_factor::account_id.eq(account_id),
                two_factor::totp_secret.eq(secret),
                two_factor::last_step.eq(0_i64),
                two_factor::created_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Takes the code of time step `step`: true when it is later than the last one taken (a
    /// code is never accepted twice, even by two requests at once).
    pub fn take_step(conn: &mut DbConn, account_id: i64, step: i64) -> StoreResult<bool> {
        let updated = diesel::update(
            two_factor::table
                .find(account_id)
                .filter(two_factor::last_step.lt(step)),
        )
        .set(two_factor::last_step.eq(step))
        .execute(conn)?;
        Ok(updated == 1)
    }

    pub fn confirm(conn: &mut DbConn, account_id: i64, now: NaiveDateTime) -> StoreResult<()> {
        diesel::update(two_factor::table.find(account_id))
            .set(two_factor::confirmed_at.eq(now))
            .execute(conn)?;
        Ok(())
    }

    /// Turns the second factor off: the secret and the recovery codes go.
    pub fn remove(conn: &mut DbConn, account_id: i64) -> StoreResult<()> {
        diesel::delete(two_factor::table.find(account_id)).execute(conn)?;
        diesel::delete(recovery_codes::table.filter(recovery_codes::account_id.eq(account_id)))
            .execute(conn)?;
        Ok(())
    }
}

/// Recovery codes: ten per account, replaced together, each used once.
pub struct RecoveryCodes;

impl RecoveryCodes {
    pub fn replace(conn: &mut DbConn, account_id: i64, hashes: &[String]) -> StoreResult<()> {
        diesel::delete(recovery_codes::table.filter(recovery_codes::account_id.eq(account_id)))
            .execute(conn)?;
        // One row at a time: a multi-row insert is not one statement both backends share.
        for hash in hashes {
            diesel::insert_into(recovery_codes::table)
                .values((
                    recovery_codes::account_id.eq(account_id),
                    recovery_codes::code_hash.eq(hash),
                ))
                .execute(conn)?;
        }
        Ok(())
    }

    /// Spends the unused code of `account_id` whose hash is `hash`: false when there is none.
    pub fn spend(
        conn: &mut DbConn,
        account_id: i64,
        hash: &str,
        now: NaiveDateTime,
    ) -> StoreResult<bool> {
        let updated = diesel::update(
            recovery_codes::table
                .filter(recovery_codes::account_id.eq(account_id))
                .filter(recovery_codes::code_hash.eq(hash))
                .filter(recovery_codes::used_at.is_null()),
        )
        .set(recovery_codes::used_at.eq(now))
        .execute(conn)?;
        Ok(updated == 1)
    }

    /// How many unused codes `account_id` has left.
    pub fn left(conn: &mut DbConn, account_id: i64) -> StoreResult<i64> {
        Ok(recovery_codes::table
            .filter(recovery_codes::account_id.eq(account_id))
            .filter(recovery_codes::used_at.is_null())
            .count()
            .get_result(conn)?)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = login_challenges)]
pub struct ChallengeRow {
    pub id: i64,
    pub account_id: i64,
    pub challenge_hash: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub failures: i32,
}

impl ChallengeRow {
    pub fn insert(
        conn: &mut DbConn,
        account_id: i64,
        hash: &str,
        expires_at: NaiveDateTime,
    ) -> StoreResult<()> {
        diesel::insert_into(login_challenges::table)
            .values((
                login_challenges::account_id.eq(account_id),
                login_challenges::challenge_hash.eq(hash),
                login_challenges::expires_at.eq(expires_at),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// The challenge whose hash is `hash`, if it can still be answered at `now`.
    pub fn find_open(
        conn: &mut DbConn,
        hash: &str,
        now: NaiveDateTime,
        max_failures: i32,
    ) -> StoreResult<Option<Self>> {
        Ok(login_challenges::table
            .filter(login_challenges::challenge_hash.eq(hash))
            .filter(login_challenges::used_at.is_null())
            .filter(login_challenges::expires_at.gt(now))
            .filter(login_challenges::failures.lt(max_failures))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// Spends the challenge: false when another request spent it first.
    pub fn spend(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> StoreResult<bool> {
        let updated = diesel::update(
            login_challenges::table
                .find(id)
                .filter(login_challenges::used_at.is_null()),
        )
        .set(login_challenges::used_at.eq(now))
        .execute(conn)?;
        Ok(updated == 1)
    }

    pub fn failed(conn: &mut DbConn, id: i64) -> StoreResult<()> {
        diesel::update(login_challenges::table.find(id))
            .set(login_challenges::failures.eq(login_challenges::failures + 1))
            .execute(conn)?;
        Ok(())
    }

    /// Removes challenges that ended before `before` (a sweep).
    pub fn sweep(conn: &mut DbConn, before: NaiveDateTime) -> StoreResult<usize> {
        Ok(
            diesel::delete(login_challenges::table.filter(login_challenges::expires_at.lt(before)))
                .execute(conn)?,
        )
    }
}
