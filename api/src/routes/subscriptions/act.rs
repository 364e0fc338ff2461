//! The one way a subscription changes: within reach, locked, audited, told to webhooks.

use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;

use crate::auth::AuthUser;
use crate::billing::{self, Billing};
use crate::db::subscriptions::SubscriptionRow;
use crate::db::{parse_id, DbConn};
use crate::error::{ApiResult, AppResult};
use crate::routes::versioned;
use crate::state::AppState;

/// The subscription `id` within the caller's reach, locked for the transaction.
pub(super) fn locked(conn: &mut DbConn, user: &AuthUser, id: i64) -> AppResult<SubscriptionRow> {
    SubscriptionRow::find(conn, user.scope(), id)?;
    Ok(SubscriptionRow::lock(conn, id)?)
}

/// Runs `change` on the subscription of `path` (within reach, locked) in one transaction,
/// records it in the audit log as `action`, and answers with the subscription as it is after.
pub(super) async fn act(
    state: web::Data<AppState>,
    user: AuthUser,
    path: &str,
    action: &'static str,
    change: impl FnOnce(&mut DbConn, &Billing, &SubscriptionRow, NaiveDateTime) -> AppResult<SubscriptionRow>
        + Send
        + 'static,
) -> ApiResult<HttpResponse> {
    let id = parse_id(path)?;
    let now = state.clock.now();
    let billing = state.billing.clone();
    let (sub, wire) = state
        .db
        .transaction(move |conn| {
            let sub = locked(conn, &user, id)?;
            billing::change(conn, (&*billing, &user.actor(), action), &sub, change, now)
        })
        .await?;
    Ok(versioned(HttpResponse::Ok(), &sub, &wire))
}
