//! `POST /auth/register` and `POST /auth/activate`.

use actix_web::{post, web, HttpRequest, HttpResponse};
use types::accounts::{Account, AccountStatus, Role};
use types::auth::{ActivateRequest, RegisterAs, RegisterRequest};

use crate::auth::extractor::client_ip;
use crate::auth::password::hash_off_thread as hash_password;
use crate::auth::secrets;
use crate::db::accounts::{AccountChanges, AccountRow};
use crate::db::audit::Actor;
use crate::db::tokens::{OneTimeTokenRow, Purpose};
use crate::error::{invalid_link, AppError, AppResult};
use crate::onboarding::{create_account, AccountSpec};
use crate::routes::Valid;
use crate::state::AppState;

/// Registers a new customer or partner account.
///
/// The account starts `pending_activation`; an email with an activation link is sent (or, without
/// SMTP, written to the outbox and the log).
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created, pending activation", body = Account),
        (status = 409, description = "`email_taken`: another account uses this email"),
        (status = 429, description = "Too many attempts from this address"),
    )
)]
#[post("/auth/register")]
pub(super) async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<RegisterRequest>,
) -> AppResult<HttpResponse> {
    let body = body.0;
    let ip = client_ip(&req, state.settings.trust_proxy);
    state
        .login_by_ip
        .hit(ip.as_deref().unwrap_or("-"))
        .map_err(AppError::rate_limited)?;
    let password_hash = hash_password(body.password.clone()).await?;
    let state2 = state.clone();
    let account = state
        .db
        .transaction(move |conn| {
            let spec = AccountSpec {
                email: body.email,
                password_hash: Some(password_hash),
                role: match body.role.unwrap_or(RegisterAs::Customer) {
                    RegisterAs::Customer => Role::Customer,
                    RegisterAs::Partner => Role::Partner,
                },
                status: AccountStatus::PendingActivation,
                first_name: body.first_name,
                last_name: body.last_name,
                company: body.company.filter(|c| !c.trim().is_empty()),
                phone: None,
                country: None,
                partner_id: None,
            };
            let account = create_account(conn, &state2.mailer, &spec)?;
            let actor = Actor::for_account(&account.principal(), None, ip);
            actor.record(
                conn,
                "account.register",
                account.role().as_str(),
                Some(account.id.to_string()),
            )?;
            Ok(account)
        })
        .await?;
    Ok(HttpResponse::Created().json(account.to_wire()))
}

/// Activates an account with the token from its email link, setting its password when the link
/// was a set-password one (then `password` is required).
#[utoipa::path(
    tag = "auth",
    request_body = ActivateRequest,
    responses(
        (status = 200, description = "Account activated", body = Account),
        (status = 403, description = "`account_locked`: the account is locked"),
        (status = 404, description = "`invalid_link`: unknown, used or expired token"),
    )
)]
#[post("/auth/activate")]
pub(super) async fn activate(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<ActivateRequest>,
) -> AppResult<HttpResponse> {
    let body = body.0;
    let new_hash = match body.password.clone() {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };
    let ip = client_ip(&req, state.settings.trust_proxy);
    let token_hash = secrets::hash_token(&body.token);
    let account = state
        .db
        .transaction(move |conn| {
            let token = OneTimeTokenRow::redeem(
                conn,
                &token_hash,
                &[Purpose::Activation, Purpose::SetPassword],
            )?
            .ok_or_else(invalid_link)?;
            let account =
                AccountRow::find(conn, token.account_id)?.ok_or_else(AppError::not_found)?;
            if account.status() == AccountStatus::Locked {
                return Err(AppError::forbidden(
                    "account_locked",
                    "This account is locked.",
                ));
            }
            let needs_password = token.purpose == Purpose::SetPassword.as_str()
                || AccountRow::password_hash(conn, account.id)?.is_none();
            if needs_password && new_hash.is_none() {
                return Err(AppError::invalid_field(
                    "password",
                    "choose a password to finish setting up the account",
                ));
            }
            let changes = AccountChanges {
                status: Some(AccountStatus::Activated.as_str().into()),
                password_hash: new_hash.map(Some),
                ..AccountChanges::default()
            };
            let account = AccountRow::update(conn, account.id, &changes)?;
            let actor = Actor::for_account(&account.principal(), None, ip);
            actor.record(
                conn,
                "account.activate",
                account.role().as_str(),
                Some(account.id.to_string()),
            )?;
            Ok(account)
        })
        .await?;
    Ok(HttpResponse::Ok().json(account.to_wire()))
}
