//! `POST /auth/register` and `POST /auth/activate`.

use actix_web::{post, web, HttpRequest, HttpResponse};
use types::accounts::{Account, AccountStatus, Role};
use types::auth::{ActivateRequest, RegisterAs, RegisterRequest, RegistrationAccepted};
use types::ErrorCode;

use super::checks::limit_attempts;
use crate::auth::extractor::client_ip;
use crate::auth::password::hash_off_thread as hash_password;
use crate::auth::secrets;
use crate::db::accounts::{AccountChanges, AccountRow};
use crate::db::audit::Actor;
use crate::db::tokens::{OneTimeTokenRow, Purpose, RefreshTokenRow};
use crate::error::{invalid_link, ApiError, ApiResult, AppError};
use crate::mailer::Email;
use crate::onboarding::{create_account, send_link, AccountSpec};
use crate::routes::Valid;
use crate::state::AppState;

/// Signs up a new customer account.
///
/// The account starts `pending_activation` with no password; the email gets a link where its
/// holder chooses the password (`POST auth/activate`), so a sign-up with someone else's email
/// gives its author nothing. The answer is the same 202 whether or not the email already has an
/// account: an existing account's holder gets an email saying so (and a pending one a fresh
/// activation link) instead. Partner accounts are opened by an administrator (`role: partner` is
/// 422). Limited per client address and per email (`ACCOUNT_MAILS_PER_HOUR` emails an hour to one
/// address).
#[utoipa::path(
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 202, description = "A link is on its way to the email", body = RegistrationAccepted),
        (status = 422, description = "`validation_failed`: e.g. `role` 'partner' (partners are made by an administrator), a name with a line break or a web address"),
        (status = 429, description = "`rate_limited`: too many sign-ups from this address or for this email"),
    )
)]
#[post("/auth/register")]
pub(super) async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<RegisterRequest>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    if body.role == Some(RegisterAs::Partner) {
        return Err(ApiError(AppError::invalid_field(
            "role",
            "partner accounts are opened by an administrator of this installation",
        )));
    }
    let email = types::email::Email::parse(&body.email);
    let ip = client_ip(&req, state.settings.trust_proxy);
    limit_attempts(&state, ip.as_deref(), email.as_str())?;
    state
        .mails_per_address
        .hit(email.as_str())
        .map_err(AppError::rate_limited)?;
    let state2 = state.clone();
    let to = email.clone();
    state
        .db
        .transaction(move |conn| {
            match AccountRow::find_by_email(conn, &email)? {
                None => {
                    let spec = AccountSpec {
                        email,
                        password_hash: None,
                        role: Role::Customer,
                        status: AccountStatus::PendingActivation,
                        first_name: body.first_name,
                        last_name: body.last_name,
                        company: body.company.filter(|c| !c.trim().is_empty()),
                        phone: None,
                        country: None,
                        partner_id: None,
                    };
                    let account = create_account(conn, &state2.mailer, &spec)?;
                    Ok(Actor::for_account(&account.principal(), None, ip).record(
                        conn,
                        "account.register",
                        account.role().as_str(),
                        Some(account.id.to_string()),
                    )?)
                }
                // Never touched by a sign-up: a new link at most (the older ones stop working).
                Some(account) if account.status() == AccountStatus::PendingActivation => {
                    send_link(conn, &state2.mailer, &account, Purpose::Activation)
                }
                Some(account) => state2
                    .mailer
                    .enqueue(conn, &account.email, &Email::AlreadyRegistered)
                    .map(drop),
            }
        })
        .await?;
    Ok(HttpResponse::Accepted().json(RegistrationAccepted {
        email: to.into_string(),
        detail: "Open the link we sent to this address to choose your password and activate the \
                 account."
            .into(),
    }))
}

/// Activates an account with the token from its email link and sets its password: the person
/// who holds the email chooses it (a password given earlier, at sign-up or by a partner, is
/// replaced). Any session of the account from before ends.
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
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let new_hash = hash_password(body.password.clone()).await?;
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
                return Err(AppError::new(
                    ErrorCode::AccountLocked,
                    "This account is locked.",
                ));
            }
            // The password is always chosen here, by whoever holds the email: one set before
            // (by a sign-up, or by a partner for its customer) is replaced.
            let changes = AccountChanges {
                status: Some(AccountStatus::Activated.as_str().into()),
                password_hash: Some(Some(new_hash)),
                ..AccountChanges::default()
            };
            let account = AccountRow::update(conn, account.id, &changes)?;
            RefreshTokenRow::revoke_all_of(conn, account.id)?;
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
