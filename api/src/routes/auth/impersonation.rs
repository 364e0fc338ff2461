//! `POST /auth/impersonation/exchange`: a "log in as" code for a session as the customer.

use actix_web::{post, web, HttpRequest, HttpResponse};
use types::accounts::AccountStatus;
use types::auth::TokenResponse;
use types::customers::ImpersonationExchange;

use super::cookie::token_reply;
use crate::auth::extractor::origin;
use crate::auth::secrets;
use crate::auth::sessions::{start_session, SessionKind, IMPERSONATION_SESSION_MINUTES};
use crate::db::accounts::AccountRow;
use crate::db::audit::Actor;
use crate::db::tokens::{OneTimeTokenRow, Purpose};
use crate::error::{invalid_link, ApiResult};
use crate::policy::Scope;
use crate::routes::Valid;
use crate::state::AppState;

/// Exchanges a "log in as" code (from `POST /customers/{id}/impersonate`) for a session as that
/// customer. The access token names the partner in its `act` claim; the session ends within an
/// hour and refreshing never extends it. The code works once, for 60 seconds.
#[utoipa::path(
    tag = "auth",
    request_body = ImpersonationExchange,
    responses(
        (status = 200, description = "A session as the customer", body = TokenResponse),
        (status = 404, description = "`invalid_link`: unknown, used or expired code"),
        (status = 403, description = "`log_in_as_disabled`: the customer switched it off since the code was made"),
        (status = 409, description = "`customer_not_activated`"),
    )
)]
#[post("/auth/impersonation/exchange")]
pub(super) async fn exchange_impersonation(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: Valid<ImpersonationExchange>,
) -> ApiResult<HttpResponse> {
    let body = body.0;
    let hash = secrets::hash_token(&body.code);
    let origin = origin(&req, state.settings.trust_proxy);
    let ip = origin.ip.clone();
    let state2 = state.clone();
    let tokens = state
        .db
        .transaction(move |conn| {
            let code = OneTimeTokenRow::redeem(conn, &hash, &[Purpose::Impersonation])?
                .ok_or_else(invalid_link)?;
            let customer = AccountRow::find(conn, code.account_id)?.ok_or_else(invalid_link)?;
            // The partner (or admin) must still be able to act, and still manage this customer.
            let actor = code
                .actor_id
                .map(|id| AccountRow::find(conn, id))
                .transpose()?
                .flatten()
                .filter(|a| a.status() == AccountStatus::Activated)
                .filter(|a| Scope::for_account(a.id, a.role()).manages_customer(&customer))
                .ok_or_else(invalid_link)?;
            crate::customers::ensure_may_log_in_as(&customer)?;
            let kind = SessionKind {
                impersonator_id: Some(actor.id),
                read_only: code.read_only,
                ends_at: Some(
                    crate::clock::now() + chrono::Duration::minutes(IMPERSONATION_SESSION_MINUTES),
                ),
            };
            let tokens = start_session(conn, &state2.jwt, &customer, kind, &origin)?;
            Actor::for_account(&customer.principal(), Some(actor.id), ip).record(
                conn,
                "session.impersonate",
                "session",
                None,
            )?;
            Ok(tokens)
        })
        .await?;
    Ok(token_reply(tokens, body.use_cookie, &state))
}
