//! Sessions: a family of one-time refresh tokens, each exchanged for an access token and the next
//! refresh token. Sign-in, "log in as", refresh and a password change all start or continue one.

use types::auth::TokenResponse;

use crate::auth::jwt::JwtKeys;
use crate::auth::secrets;
use crate::db::accounts::AccountRow;
use crate::db::sessions::{NewSession, SessionRow};
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

/// Where a sign-in came from: kept with its session, for its person to recognise it.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

/// The longest `User-Agent` kept (real ones are about 150 characters).
const USER_AGENT_MAX: usize = 300;

/// Starts a new session family for `account`, signed in from `origin`.
pub fn start_session(
    conn: &mut DbConn,
    jwt: &JwtKeys,
    account: &AccountRow,
    kind: SessionKind,
    origin: &Origin,
) -> AppResult<TokenResponse> {
    let family = secrets::random_token(16);
    let now = crate::clock::now();
    let user_agent: Option<String> = origin.user_agent.as_deref().map(|ua| {
        ua.chars()
            .filter(|c| !c.is_control())
            .take(USER_AGENT_MAX)
            .collect()
    });
    SessionRow::insert(
        conn,
        &NewSession {
            account_id: account.id,
            family_id: &family,
            impersonator_id: kind.impersonator_id,
            ip: origin.ip.as_deref(),
            user_agent: user_agent.as_deref(),
            created_at: now,
            last_used_at: now,
        },
    )?;
    issue_tokens(conn, jwt, account, &family, kind)
}

/// A sign-in of `account` (its password, and its second factor if it has one) from `origin`: a
/// new session, recorded as `session.create` by the account itself.
pub fn sign_in(
    conn: &mut DbConn,
    jwt: &JwtKeys,
    account: &AccountRow,
    origin: &Origin,
) -> AppResult<TokenResponse> {
    let tokens = start_session(conn, jwt, account, SessionKind::default(), origin)?;
    crate::db::audit::Actor::for_account(&account.principal(), None, origin.ip.clone()).record(
        conn,
        "session.create",
        "session",
        None,
    )?;
    Ok(tokens)
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
    SessionRow::touch(conn, family, now)?;
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

/// The live sessions of `account_id` in their wire form, `current` (the request's session)
/// marked and first.
pub fn list(
    conn: &mut DbConn,
    account_id: i64,
    current: Option<&str>,
) -> AppResult<Vec<types::auth::Session>> {
    let rows = SessionRow::live_of(conn, account_id, crate::clock::now())?;
    let mut items: Vec<types::auth::Session> = rows
        .into_iter()
        .map(|row| {
            let is_current = current == Some(row.family_id.as_str());
            types::auth::Session {
                id: row.id.to_string(),
                created_at: row.created_at.and_utc(),
                last_used_at: row.last_used_at.and_utc(),
                ip: row.ip,
                device: row.user_agent.as_deref().and_then(device_of),
                user_agent: row.user_agent,
                current: is_current,
            }
        })
        .collect();
    items.sort_by_key(|s| !s.current);
    Ok(items)
}

/// Ends the live session `id` of `account_id` (404 when it has no such session), as `actor`.
pub fn end(
    conn: &mut DbConn,
    actor: &crate::db::audit::Actor,
    account_id: i64,
    id: i64,
) -> AppResult<()> {
    let session = SessionRow::live_of(conn, account_id, crate::clock::now())?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(AppError::not_found)?;
    RefreshTokenRow::revoke_family(conn, &session.family_id)?;
    actor.record(conn, "session.revoke", "session", Some(id.to_string()))?;
    Ok(())
}

/// Ends every live session of `account_id` but `current`, as `actor`; how many.
pub fn end_others(
    conn: &mut DbConn,
    actor: &crate::db::audit::Actor,
    account_id: i64,
    current: Option<&str>,
) -> AppResult<usize> {
    let others: Vec<SessionRow> = SessionRow::live_of(conn, account_id, crate::clock::now())?
        .into_iter()
        .filter(|s| current != Some(s.family_id.as_str()))
        .collect();
    for session in &others {
        RefreshTokenRow::revoke_family(conn, &session.family_id)?;
    }
    if !others.is_empty() {
        actor.record(conn, "session.revoke_others", "session", None)?;
    }
    Ok(others.len())
}

/// The browser and system a `User-Agent` names, in words (`Firefox on Linux`), or the program
/// (`curl`); `None` when it names nothing known.
pub fn device_of(user_agent: &str) -> Option<String> {
    let has = |token: &str| user_agent.contains(token);
    let program = [
        ("curl/", "curl"),
        ("python-requests/", "Python requests"),
        ("python-httpx/", "Python httpx"),
        ("okhttp/", "OkHttp"),
        ("Go-http-client/", "Go"),
        ("node-fetch", "Node.js"),
        ("undici", "Node.js"),
        ("reqwest", "Rust reqwest"),
    ]
    .into_iter()
    .find(|(token, _)| user_agent.starts_with(token) || has(token));
    if let Some((_, name)) = program {
        return Some(name.to_owned());
    }
    let browser = if has("Edg/") || has("EdgiOS/") || has("EdgA/") {
        Some("Edge")
    } else if has("OPR/") {
        Some("Opera")
    } else if has("Firefox/") || has("FxiOS/") {
        Some("Firefox")
    } else if has("SamsungBrowser/") {
        Some("Samsung Internet")
    } else if has("Chrome/") || has("CriOS/") || has("Chromium/") {
        Some("Chrome")
    } else if has("Safari/") && has("Version/") {
        Some("Safari")
    } else {
        None
    };
    let system = if has("iPhone") || has("iPad") || has("iPod") {
        Some("iOS")
    } else if has("Android") {
        Some("Android")
    } else if has("CrOS") {
        Some("ChromeOS")
    } else if has("Windows") {
        Some("Windows")
    } else if has("Macintosh") || has("Mac OS X") {
        Some("macOS")
    } else if has("Linux") || has("X11") {
        Some("Linux")
    } else {
        None
    };
    match (browser, system) {
        (Some(b), Some(s)) => Some(format!("{b} on {s}")),
        (Some(b), None) => Some(b.to_owned()),
        (None, Some(s)) => Some(s.to_owned()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::device_of;

    #[test]
    fn a_user_agent_reads_as_a_browser_on_a_system() {
        for (ua, expected) in [
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", "Chrome on Windows"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
            ("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox on Linux"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7_1) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15", "Safari on macOS"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", "Safari on iOS"),
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
            ("curl/8.5.0", "curl"),
        ] {
            assert_eq!(device_of(ua).as_deref(), Some(expected), "{ua}");
        }
        assert_eq!(device_of("something else"), None);
    }
}
