//! Authentication as extractors: a handler declares who may call it by its parameters
//! (`AuthUser` for any signed-in account, `Admin` for admins only).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use types::ErrorCode;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use types::accounts::{AccountStatus, Role};
use types::tokens::TokenScope;

use crate::db::accounts::Principal;
use crate::db::audit::Actor;
use crate::db::gate;
use crate::db::tokens::ApiTokenRow;
use crate::error::{ApiError, ApiResult, AppError, AppResult};
use crate::state::AppState;

/// Prefix of personal API tokens, so they are told apart from JWTs (and found by secret scanners).
pub const API_TOKEN_PREFIX: &str = "bo_pat_";

/// The signed-in account making the request. An access token's account is checked against the
/// database (it still exists, is active, has the role the token names) on the request's own
/// connection before the handler's first query (`db::gate`), so that a locked account is refused
/// at once, not when its access token expires, at no extra trip to the database.
#[derive(Debug, Clone)]
pub struct AuthUser {
    id: i64,
    role: Role,
    /// The account's row, filled by that check (or by the API-token lookup) before any of the
    /// request's queries runs.
    account: Arc<OnceLock<Principal>>,
    /// The partner or admin behind this session during "log in as".
    pub impersonator_id: Option<i64>,
    /// Set when authenticated by a personal API token.
    pub api_token_id: Option<i64>,
    /// The apps a personal API token is limited to (`None`: not limited); the extractor has
    /// already refused any route outside them, lists of apps filter by it.
    pub app_limit: Option<Arc<[i64]>>,
    /// A read-only "log in as" session.
    pub read_only: bool,
    pub ip: Option<String>,
    /// The session (refresh-token family) an access token belongs to; `None` for API tokens.
    pub session: Option<String>,
}

impl AuthUser {
    pub fn id(&self) -> i64 {
        self.id
    }

    pub fn role(&self) -> Role {
        self.role
    }

    /// What this account may reach (see `policy`).
    pub fn scope(&self) -> crate::policy::Scope {
        crate::policy::Scope::for_account(self.id(), self.role())
    }

    /// Refuses what only the account holder may do: not a partner or admin during "log in as".
    pub fn holder_only(&self, what: &str) -> AppResult<()> {
        if self.impersonator_id.is_some() {
            return Err(AppError::new(
                ErrorCode::NotWhileImpersonating,
                format!("Only the account holder can {what}, not during \"log in as\"."),
            ));
        }
        Ok(())
    }

    /// The audit identity of this request.
    pub fn actor(&self) -> Actor {
        Actor::for_caller(
            self.id,
            self.account.clone(),
            self.impersonator_id,
            self.ip.clone(),
        )
    }

    async fn authenticate(req: HttpRequest) -> ApiResult<Self> {
        let state = web::Data::<AppState>::extract(&req)
            .await
            .map_err(|_| AppError::internal(anyhow::anyhow!("app state missing")))?;
        let token = bearer_token(&req)?;
        let ip = client_ip(&req, state.settings.trust_proxy);
        let account = Arc::new(OnceLock::new());

        let user = if token.starts_with(API_TOKEN_PREFIX) {
            let hash = crate::auth::secrets::hash_token(&token);
            let (principal, api_token_id, scope, app_limit) = state
                .db
                .run(move |conn| {
                    let api_token =
                        ApiTokenRow::find_live_by_hash(conn, &hash)?.ok_or_else(|| {
                            AppError::new(
                                ErrorCode::InvalidToken,
                                "The API token is invalid or revoked.",
                            )
                        })?;
                    ApiTokenRow::touch(conn, &api_token)?;
                    let principal = Principal::find(conn, api_token.account_id)?;
                    Ok((
                        principal.ok_or_else(invalid_token)?,
                        api_token.id,
                        api_token.scope,
                        api_token.app_limit(),
                    ))
                })
                .await?;
            let role = principal.role;
            active(&principal)?;
            if scope == TokenScope::Read && !reads(&req) {
                return Err(ApiError(AppError::new(
                    ErrorCode::InsufficientScope,
                    "This API token may only read: use a token with the `write` scope.",
                )));
            }
            if let Some(apps) = &app_limit {
                within_apps(&req, apps)?;
            }
            let id = principal.id;
            let _ = account.set(principal);
            Self {
                id,
                role,
                account,
                impersonator_id: None,
                api_token_id: Some(api_token_id),
                app_limit: app_limit.map(Arc::from),
                read_only: false,
                ip,
                session: None,
            }
        } else {
            let claims = state.jwt.verify(&token)?;
            let id: i64 = claims.sub.parse().map_err(|_| invalid_token())?;
            let impersonator_id = match claims.act {
                Some(act) => Some(act.sub.parse::<i64>().map_err(|_| invalid_token())?),
                None => None,
            };
            let (role, filled, session) = (claims.role, account.clone(), claims.sid.clone());
            gate::close(Arc::new(move |conn| {
                let principal = session_holder(conn, id, role, impersonator_id, &session)?;
                let _ = filled.set(principal);
                Ok(())
            }));
            Self {
                id,
                role,
                account,
                impersonator_id,
                api_token_id: None,
                app_limit: None,
                read_only: claims.ro,
                ip,
                session: Some(claims.sid),
            }
        };

        // The one place of the read-only rule: only reads in such a session.
        if user.read_only && !reads(&req) {
            return Err(ApiError(AppError::new(
                ErrorCode::ReadOnlyImpersonation,
                "This is a read-only \"log in as\" session: changes are not allowed.",
            )));
        }
        Ok(user)
    }
}

/// The account an access token speaks for, if its session still holds: the session was not
/// revoked (signed out, a password reset, a lock), the account is active with the token's role,
/// and during "log in as" the partner or admin behind it is still active and still manages the
/// customer (a locked, deleted or demoted impersonator ends the session at once). One query for
/// both accounts, one for the session.
fn session_holder(
    conn: &mut crate::db::DbConn,
    id: i64,
    role: Role,
    impersonator_id: Option<i64>,
    session: &str,
) -> AppResult<Principal> {
    let ids: Vec<i64> = std::iter::once(id).chain(impersonator_id).collect();
    let mut accounts = Principal::find_many(conn, &ids)?;
    let position = accounts.iter().position(|p| p.id == id);
    let principal = position
        .map(|i| accounts.swap_remove(i))
        .filter(|p| p.role == role)
        .ok_or_else(invalid_token)?;
    active(&principal)?;
    if let Some(actor_id) = impersonator_id {
        let holds = accounts
            .iter()
            .find(|a| a.id == actor_id)
            .is_some_and(|actor| crate::policy::Scope::may_act_for(actor, &principal));
        if !holds {
            return Err(ended_impersonation());
        }
    }
    if !crate::db::tokens::RefreshTokenRow::session_is_live(conn, id, session)? {
        return Err(AppError::new(
            ErrorCode::InvalidToken,
            "This session has ended: sign in again.",
        ));
    }
    Ok(principal)
}

fn ended_impersonation() -> AppError {
    AppError::new(
        ErrorCode::InvalidToken,
        "This \"log in as\" session has ended: its partner can no longer act for this account.",
    )
}

/// Whether the request only reads.
fn reads(req: &HttpRequest) -> bool {
    matches!(
        *req.method(),
        actix_web::http::Method::GET | actix_web::http::Method::HEAD
    )
}

/// What an API token limited to `apps` may call: the routes of those apps (another app is the
/// same 404 as an unknown one), the app list, and who it is (`GET me`); anything else is 403
/// `app_limited_token`.
fn within_apps(req: &HttpRequest, apps: &[i64]) -> AppResult<()> {
    let path = req.path().trim_start_matches("/api/v1/");
    let mut parts = path.split('/');
    match (parts.next(), parts.next()) {
        (Some("apps"), Some(id)) if !id.is_empty() => match id.parse::<i64>() {
            Ok(id) if apps.contains(&id) => Ok(()),
            _ => Err(AppError::not_found()),
        },
        (Some("apps") | Some("me"), None) if reads(req) => Ok(()),
        _ => Err(app_limited_token()),
    }
}

pub fn app_limited_token() -> AppError {
    AppError::new(
        ErrorCode::AppLimitedToken,
        "This API token is limited to some apps: it may only use their routes (apps/{id}/…), \
         the app list and `me`.",
    )
}

/// Whether `account` may still act (a locked or pending account may not).
fn active(account: &Principal) -> AppResult<()> {
    if account.status != AccountStatus::Activated {
        return Err(AppError::new(
            ErrorCode::InvalidToken,
            "This account can no longer sign in.",
        ));
    }
    Ok(())
}

fn invalid_token() -> AppError {
    AppError::new(ErrorCode::InvalidToken, "The access token is invalid.")
}

fn bearer_token(req: &HttpRequest) -> AppResult<String> {
    let value = req.headers().get(header::AUTHORIZATION).ok_or_else(|| {
        AppError::new(
            ErrorCode::MissingToken,
            "Sign in first: send `Authorization: Bearer <token>`.",
        )
    })?;
    let value = value.to_str().map_err(|_| invalid_token())?;
    let (scheme, token) = value.split_once(' ').ok_or_else(invalid_token)?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(invalid_token());
    }
    Ok(token.trim().to_owned())
}

/// The client's address: the socket peer, or the proxy's forwarded value when `TRUST_PROXY` is on.
/// Where a sign-in comes from: the client's address and its `User-Agent`.
pub fn origin(req: &HttpRequest, trust_proxy: bool) -> crate::auth::sessions::Origin {
    crate::auth::sessions::Origin {
        ip: client_ip(req, trust_proxy),
        user_agent: req
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

pub fn client_ip(req: &HttpRequest, trust_proxy: bool) -> Option<String> {
    let info = req.connection_info();
    let addr = if trust_proxy {
        info.realip_remote_addr()
    } else {
        info.peer_addr()
    };
    addr.map(|a| {
        a.parse::<std::net::SocketAddr>()
            .map_or_else(|_| a.to_owned(), |s| s.ip().to_string())
    })
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = ApiResult<Self>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(Self::authenticate(req.clone()))
    }
}

/// Extractors that admit some roles only; everyone else signed in gets 403 with `$code`.
macro_rules! role_gate {
    ($(#[$doc:meta])* $name:ident, $allowed:pat, $code:path, $detail:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $name(pub AuthUser);

        impl FromRequest for $name {
            type Error = ApiError;
            type Future = Pin<Box<dyn Future<Output = ApiResult<Self>>>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let req = req.clone();
                Box::pin(async move {
                    let user = AuthUser::authenticate(req).await?;
                    if !matches!(user.role(), $allowed) {
                        return Err(AppError::new($code, $detail).into());
                    }
                    Ok(Self(user))
                })
            }
        }
    };
}

role_gate!(
    /// A partner or an administrator (who manage customers); a customer gets 403.
    Manager,
    Role::Partner | Role::Admin,
    ErrorCode::PartnersOnly,
    "Only partners and administrators manage customers."
);

role_gate!(
    /// An administrator; anyone else gets 403.
    Admin,
    Role::Admin,
    ErrorCode::AdminOnly,
    "Only administrators may do this."
);
