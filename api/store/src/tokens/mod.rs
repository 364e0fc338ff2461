//! Stored credentials: rotating refresh tokens, personal API tokens and one-time email links.
//! Only SHA-256 hashes of the secrets are stored.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use types::tokens::TokenScope;

use super::schema::{api_tokens, one_time_tokens};
use super::stored::Stored;
use super::DbConn;
use crate::error::StoreResult;

mod refresh;
pub use refresh::*;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiTokenRow {
    pub id: i64,
    pub account_id: i64,
    pub name: String,
    pub prefix: String,
    pub token_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    #[diesel(deserialize_as = Stored<TokenScope>)]
    pub scope: TokenScope,
    /// The apps it is limited to, a JSON array of ids; `None`: every app the account reaches.
    pub app_ids: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewApiToken<'a> {
    pub account_id: i64,
    pub name: &'a str,
    pub prefix: &'a str,
    pub token_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub scope: &'a str,
    pub app_ids: Option<String>,
}

impl ApiTokenRow {
    pub fn insert(conn: &mut DbConn, new: &NewApiToken<'_>) -> StoreResult<Self> {
        let id: i64 = diesel::insert_into(api_tokens::table)
            .values(new)
            .returning(api_tokens::id)
            .get_result(conn)?;
        Ok(api_tokens::table
            .find(id)
            .select(Self::as_select())
            .first(conn)?)
    }

    /// The live (unrevoked, unexpired) token with this hash.
    pub fn find_live_by_hash(conn: &mut DbConn, hash: &str) -> StoreResult<Option<Self>> {
        let now = crate::clock::now();
        Ok(api_tokens::table
            .filter(api_tokens::token_hash.eq(hash))
            .filter(api_tokens::revoked_at.is_null())
            .filter(
                api_tokens::expires_at
                    .is_null()
                    .or(api_tokens::expires_at.gt(now)),
            )
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// Records use, at most once a minute per token so that reads stay reads.
    pub fn touch(conn: &mut DbConn, token: &Self) -> StoreResult<()> {
        let now = crate::clock::now();
        if token
            .last_used_at
            .is_none_or(|t| now - t > chrono::Duration::minutes(1))
        {
            diesel::update(api_tokens::table.find(token.id))
                .set(api_tokens::last_used_at.eq(now))
                .execute(conn)?;
        }
        Ok(())
    }

    pub fn list_live_of(conn: &mut DbConn, account_id: i64) -> StoreResult<Vec<Self>> {
        Ok(api_tokens::table
            .filter(api_tokens::account_id.eq(account_id))
            .filter(api_tokens::revoked_at.is_null())
            .order(api_tokens::id.desc())
            .select(Self::as_select())
            .load(conn)?)
    }

    /// Revokes one of the account's tokens; false when it has no such live token.
    pub fn revoke(conn: &mut DbConn, account_id: i64, id: i64) -> StoreResult<bool> {
        let updated = diesel::update(
            api_tokens::table
                .find(id)
                .filter(api_tokens::account_id.eq(account_id))
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(crate::clock::now()))
        .execute(conn)?;
        Ok(updated == 1)
    }

    pub fn revoke_all_of(conn: &mut DbConn, account_id: i64) -> StoreResult<()> {
        diesel::update(
            api_tokens::table
                .filter(api_tokens::account_id.eq(account_id))
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(crate::clock::now()))
        .execute(conn)?;
        Ok(())
    }

    /// The apps the token is limited to (`None`: not limited).
    pub fn app_limit(&self) -> Option<Vec<i64>> {
        self.app_ids
            .as_deref()
            .map(|ids| serde_json::from_str(ids).unwrap_or_default())
    }

    pub fn to_wire(&self) -> types::tokens::ApiToken {
        types::tokens::ApiToken {
            id: self.id.to_string(),
            name: self.name.clone(),
            prefix: self.prefix.clone(),
            scope: self.scope,
            app_ids: self
                .app_limit()
                .map(|ids| ids.iter().map(i64::to_string).collect()),
            created_at: super::utc(self.created_at),
            last_used_at: self.last_used_at.map(super::utc),
            expires_at: self.expires_at.map(super::utc),
        }
    }
}

/// What a one-time email link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Activation,
    SetPassword,
    /// "Log in as": a 60-second code from a partner (or admin) for one of its customers.
    Impersonation,
    /// "Forgot password?": a one-hour link to choose a new password.
    PasswordReset,
}

impl Purpose {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Activation => "activation",
            Self::SetPassword => "set_password",
            Self::Impersonation => "impersonation",
            Self::PasswordReset => "password_reset",
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = one_time_tokens)]
pub struct OneTimeTokenRow {
    pub id: i64,
    pub account_id: i64,
    pub purpose: String,
    pub token_hash: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    /// Who asked for it (impersonation codes).
    pub actor_id: Option<i64>,
    pub read_only: bool,
}

impl OneTimeTokenRow {
    /// Stores an emailed link (activation, set password) for `account_id`.
    pub fn insert(
        conn: &mut DbConn,
        account_id: i64,
        purpose: Purpose,
        token_hash: &str,
        valid_for: chrono::Duration,
    ) -> StoreResult<()> {
        Self::insert_row(
            conn, account_id, purpose, token_hash, valid_for, None, false,
        )
    }

    /// Stores a "log in as" code for `customer_id`, asked for by `actor_id`.
    pub fn insert_impersonation(
        conn: &mut DbConn,
        customer_id: i64,
        actor_id: i64,
        read_only: bool,
        token_hash: &str,
        valid_for: chrono::Duration,
    ) -> StoreResult<()> {
        let purpose = Purpose::Impersonation;
        Self::insert_row(
            conn,
            customer_id,
            purpose,
            token_hash,
            valid_for,
            Some(actor_id),
            read_only,
        )
    }

    fn insert_row(
        conn: &mut DbConn,
        account_id: i64,
        purpose: Purpose,
        token_hash: &str,
        valid_for: chrono::Duration,
        actor_id: Option<i64>,
        read_only: bool,
    ) -> StoreResult<()> {
        let now = crate::clock::now();
        diesel::insert_into(one_time_tokens::table)
            .values((
                one_time_tokens::account_id.eq(account_id),
                one_time_tokens::purpose.eq(purpose.as_str()),
                one_time_tokens::token_hash.eq(token_hash),
                one_time_tokens::expires_at.eq(now + valid_for),
                one_time_tokens::created_at.eq(now),
                one_time_tokens::actor_id.eq(actor_id),
                one_time_tokens::read_only.eq(read_only),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Spends an unexpired, unused token atomically; `None` if there is no such token.
    /// Spends every unused token of `account_id` for `purpose` (a new password makes the other
    /// reset links worthless).
    pub fn spend_all(conn: &mut DbConn, account_id: i64, purpose: Purpose) -> StoreResult<()> {
        diesel::update(
            one_time_tokens::table
                .filter(one_time_tokens::account_id.eq(account_id))
                .filter(one_time_tokens::purpose.eq(purpose.as_str()))
                .filter(one_time_tokens::used_at.is_null()),
        )
        .set(one_time_tokens::used_at.eq(crate::clock::now()))
        .execute(conn)?;
        Ok(())
    }

    pub fn redeem(
        conn: &mut DbConn,
        token_hash: &str,
        purposes: &[Purpose],
    ) -> StoreResult<Option<Self>> {
        let now = crate::clock::now();
        let purposes: Vec<&str> = purposes.iter().map(|p| p.as_str()).collect();
        let found = one_time_tokens::table
            .filter(one_time_tokens::token_hash.eq(token_hash))
            .filter(one_time_tokens::purpose.eq_any(purposes))
            .filter(one_time_tokens::used_at.is_null())
            .filter(one_time_tokens::expires_at.gt(now))
            .select(Self::as_select())
            .first(conn)
            .optional()?;
        let Some(token) = found else { return Ok(None) };
        let updated = diesel::update(
            one_time_tokens::table
                .find(token.id)
                .filter(one_time_tokens::used_at.is_null()),
        )
        .set(one_time_tokens::used_at.eq(now))
        .execute(conn)?;
        Ok((updated == 1).then_some(token))
    }
}
