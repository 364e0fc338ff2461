//! The signed-in account: profile, password and personal API tokens (`/me...`).

use crate::routes::Register;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use types::accounts::{Account, UpdateProfile};
use types::auth::{ChangePasswordRequest, TokenResponse};
use types::tokens::{ApiTokenList, CreateApiToken, CreatedApiToken};
use types::ErrorCode;

use crate::auth::extractor::API_TOKEN_PREFIX;
use crate::auth::password::{self, hash_off_thread as hash_password};
use crate::auth::sessions::{start_session, SessionKind};
use crate::auth::{secrets, AuthUser};
use crate::db::accounts::trimmed;
use crate::db::accounts::{AccountChanges, AccountRow, Principal};
use crate::db::tokens::{ApiTokenRow, NewApiToken, RefreshTokenRow};
use crate::db::{parse_id, DbConn};
use crate::error::{ApiError, ApiResult, AppError, AppResult};
use crate::routes::Valid;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(get_me)
        .service(update_me)
        .service(change_password)
        .service(list_tokens)
        .service(create_token)
        .service(revoke_token);
}

fn me_wire(user: &AuthUser, account: &AccountRow) -> Account {
    let mut wire = account.to_wire();
    wire.impersonated_by = user.impersonator_id.map(|id| id.to_string());
    wire.read_only = user.read_only;
    wire
}

/// The signed-in account; during "log in as", `impersonated_by` names the real actor.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, description = "The signed-in account", body = Account))
)]
#[get("/me")]
async fn get_me(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let (id, impersonator) = (user.id(), user.impersonator_id);
    let (account, actor) = state
        .db
        .run(move |conn| {
            let account = AccountRow::find(conn, id)?.ok_or_else(AppError::not_found)?;
            let actor = match impersonator {
                Some(actor) => Principal::find(conn, actor)?,
                None => None,
            };
            Ok((account, actor))
        })
        .await?;
    let mut wire = me_wire(&user, &account);
    wire.impersonated_by_email = actor.map(|a| a.email);
    Ok(HttpResponse::Ok().json(wire))
}

/// Edits the signed-in account's own profile.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = UpdateProfile,
    responses((status = 200, description = "The updated account", body = Account))
)]
#[patch("/me")]
async fn update_me(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Valid<UpdateProfile>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let actor = user.actor();
    let id = user.id();
    let account = state
        .db
        .transaction(move |conn| {
            let changes = AccountChanges {
                first_name: body.first_name.map(|s| s.trim().to_owned()),
                last_name: body.last_name.map(|s| s.trim().to_owned()),
                company: body.company,
                phone: body.phone,
                country: body.country,
                billing_name: trimmed(body.billing_name),
                billing_address: trimmed(body.billing_address),
                vat_id: body.vat_id.map(|v| v.map(|v| v.to_uppercase())),
                ..AccountChanges::default()
            };
            let account = AccountRow::update(conn, id, &changes)?;
            actor.record(
                conn,
                "account.update",
                account.role().as_str(),
                Some(id.to_string()),
            )?;
            Ok(account)
        })
        .await?;
    Ok(HttpResponse::Ok().json(me_wire(&user, &account)))
}

/// Changes the password, given the current one. Every session of the account is signed out and a
/// fresh one is returned for this client.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "Password changed; the new session", body = TokenResponse),
        (status = 403, description = "`wrong_current_password`, or `not_while_impersonating`"),
    )
)]
#[post("/me/password")]
async fn change_password(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    user: AuthUser,
    body: Valid<ChangePasswordRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    user.holder_only("change the password")?;
    let id = user.id();
    let stored = state
        .db
        .run(move |conn| Ok(AccountRow::password_hash(conn, id)?))
        .await?;
    let current = body.current_password.clone();
    if !tokio::task::spawn_blocking(move || password::verify(&current, stored.as_deref())).await? {
        return Err(ApiError(AppError::new(
            ErrorCode::WrongCurrentPassword,
            "The current password is not right.",
        )));
    }
    let new_hash = hash_password(body.new_password).await?;
    let actor = user.actor();
    let state2 = state.clone();
    let origin = crate::auth::extractor::origin(&req, state.settings.trust_proxy);
    let tokens = state
        .db
        .transaction(move |conn| {
            let changes = AccountChanges {
                password_hash: Some(Some(new_hash)),
                ..AccountChanges::default()
            };
            let account = AccountRow::update(conn, id, &changes)?;
            RefreshTokenRow::revoke_all_of(conn, id)?;
            actor.record(
                conn,
                "account.change_password",
                account.role().as_str(),
                Some(id.to_string()),
            )?;
            start_session(conn, &state2.jwt, &account, SessionKind::default(), &origin)
        })
        .await?;
    Ok(HttpResponse::Ok().json(tokens))
}

/// The signed-in account's live personal API tokens (secrets are never shown again).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses((status = 200, description = "Live tokens, newest first", body = ApiTokenList))
)]
#[get("/me/tokens")]
async fn list_tokens(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    let id = user.id();
    let rows = state
        .db
        .run(move |conn| Ok(ApiTokenRow::list_live_of(conn, id)?))
        .await?;
    Ok(HttpResponse::Ok().json(ApiTokenList {
        items: rows.iter().map(ApiTokenRow::to_wire).collect(),
    }))
}

/// Creates a personal API token for integrations; it acts as this account. The secret is in
/// this response only. Not during "log in as": a token would outlive that hour.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    request_body = CreateApiToken,
    responses(
        (status = 201, description = "The token and its secret", body = CreatedApiToken),
        (status = 403, description = "`not_while_impersonating`, or `read_only_impersonation`"),
        (status = 422, description = "`validation_failed`: e.g. `app_ids` names an app that is not yours"),
    )
)]
#[post("/me/tokens")]
async fn create_token(
    state: web::Data<AppState>,
    user: AuthUser,
    body: Valid<CreateApiToken>,
) -> ApiResult<HttpResponse> {
    user.holder_only("create API tokens")?;
    let body = body.0;
    let secret = format!("{API_TOKEN_PREFIX}{}", secrets::random_token(32));
    let prefix: String = secret.chars().take(API_TOKEN_PREFIX.len() + 4).collect();
    let hash = secrets::hash_token(&secret);
    let actor = user.actor();
    let account_id = user.id();
    let row = state
        .db
        .transaction(move |conn| {
            let now = crate::clock::now();
            let app_ids = match &body.app_ids {
                Some(ids) => Some(apps_in_reach(conn, &user, ids)?),
                None => None,
            };
            let row = ApiTokenRow::insert(
                conn,
                &NewApiToken {
                    account_id,
                    name: body.name.trim(),
                    prefix: &prefix,
                    token_hash: &hash,
                    created_at: now,
                    expires_at: body
                        .expires_in_days
                        .map(|d| now + chrono::Duration::days(i64::from(d))),
                    scope: body.scope.as_str(),
                    app_ids,
                },
            )?;
            actor.record(
                conn,
                "api_token.create",
                "api_token",
                Some(row.id.to_string()),
            )?;
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Created().json(CreatedApiToken {
        token: row.to_wire(),
        secret,
    }))
}

/// The apps a token is limited to, as stored (a JSON array of ids, each once): every one an app
/// the account reaches, else 422 on `app_ids`.
fn apps_in_reach(conn: &mut DbConn, user: &AuthUser, ids: &[String]) -> AppResult<String> {
    let not_yours = || AppError::invalid_field("app_ids", "names an app that is not yours");
    let mut apps = ids
        .iter()
        .map(|id| parse_id(id).map_err(|_| not_yours()))
        .collect::<AppResult<Vec<i64>>>()?;
    apps.sort_unstable();
    apps.dedup();
    for &id in &apps {
        // Unknown and out of reach are one 404; any other failure (the database) stays itself.
        user.scope().find_app(conn, id).map_err(|e| match e {
            store::StoreError::NotFound => not_yours(),
            e => AppError::from(e),
        })?;
    }
    serde_json::to_string(&apps).map_err(AppError::internal)
}

/// Revokes one of the signed-in account's API tokens; it stops working at once.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(("token_id" = String, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such live token of this account"),
    )
)]
#[delete("/me/tokens/{token_id}")]
async fn revoke_token(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let token_id = crate::db::parse_id(&path)?;
    let actor = user.actor();
    let account_id = user.id();
    state
        .db
        .transaction(move |conn| {
            if !ApiTokenRow::revoke(conn, account_id, token_id)? {
                return Err(AppError::not_found());
            }
            Ok(actor.record(
                conn,
                "api_token.revoke",
                "api_token",
                Some(token_id.to_string()),
            )?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
