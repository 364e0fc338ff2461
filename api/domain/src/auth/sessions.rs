//! Sessions: a family of one-time refresh tokens, each exchanged for an access token and the next
//! refresh token. Sign-in, "log in as", refresh and a password change all start or continue one.

use types::auth::TokenResponse;

use crate::auth::jwt::JwtKeys;
use crate::auth::secrets;
use crate::db::accounts::AccountRow;
use crate::db::tokens::{NewRefreshToken, RefreshTokenRow};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};

/// Lifetime of a refresh token (each use replaces it with a new one).
pub const REFRESH_TTL_DAYS: i64 = 30;

/// How long a "log in as" session may last at most.
pub const IMPERSONATION_SESSION_MINUTES: i64 = 60;

/// What kind of session a refresh-token family is; carried from token to token.
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionKind {
    /// "Log in as": the partner or admin acting.
    pub impersonator_id: Option<i64>,
    pub read_only: bool,
    /// Hard end of the session ("log in as" lasts at most an hour, refreshing never extends it).
    pub ends_at: Option<chrono::NaiveDateTime>,
}

/// Starts a new session family for `account`.
pub fn start_session(
    conn: &mut DbConn,
    jwt: &JwtKeys,
    account: &AccountRow,
    kind: SessionKind,
) -> AppResult<TokenResponse> {
    let family = secrets::random_token(16);
    issue_tokens(conn, jwt, account, &family, kind)
}

/// Issues an access token and the next refresh token of `family`.
pub fn issue_tokens(
    conn: &mut DbConn,
    jwt: &JwtKeys,
    account: &AccountRow,
    family: &str,
    kind: SessionKind,
) -> AppResult<TokenResponse> {
    let refresh_token = secrets::random_token(32);
    let now = crate::clock::now();
    let mut expires_at = now + chrono::Duration::days(REFRESH_TTL_DAYS);
    let mut access_ttl = crate::auth::jwt::ACCESS_TTL_SECS;
    if let Some(end) = kind.ends_at {
        expires_at = expires_at.min(end);
        access_ttl = access_ttl.min((end - now).num_seconds()).max(1);
    }
    RefreshTokenRow::insert(
        conn,
        &NewRefreshToken {
            account_id: account.id,
            family_id: family,
            token_hash: &secrets::hash_token(&refresh_token),
            impersonator_id: kind.impersonator_id,
            expires_at,
            created_at: now,
            read_only: kind.read_only,
            session_expires_at: kind.ends_at,
        },
    )?;
    let (access_token, expires_in) = jwt
        .issue(
            account.id,
            account.role(),
            family,
            kind.impersonator_id,
            kind.read_only,
            access_ttl,
        )
        .map_err(AppError::internal)?;
    Ok(TokenResponse {
        access_token,
        refresh_token: Some(refresh_token),
        token_type: "Bearer".into(),
        expires_in,
    })
}
