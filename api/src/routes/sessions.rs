//! The signed-in person's sessions: where it is signed in, and ending those it does not know
//! (`/me/sessions...`).

use actix_web::{delete, get, post, web, HttpResponse};
use types::auth::SessionList;

use crate::auth::{sessions, AuthUser};
use crate::db::parse_id;
use crate::error::ApiResult;
use crate::routes::Register;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_sessions)
        .service(end_session)
        .service(end_other_sessions);
}

/// The signed-in person's live sessions: the one this request comes from first (`current`),
/// then the most recently used. "Log in as" sessions opened by a partner are not among them
/// (the activity page shows those).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Live sessions", body = SessionList),
        (status = 403, description = "`not_while_impersonating`"),
    )
)]
#[get("/me/sessions")]
async fn list_sessions(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    user.holder_only("see the account's sessions")?;
    let (id, current) = (user.id(), user.session.clone());
    let items = state
        .db
        .run(move |conn| sessions::list(conn, id, current.as_deref()))
        .await?;
    Ok(HttpResponse::Ok().json(SessionList { items }))
}

/// Ends one session at once: its refresh token is refused from now on, and its access token
/// within the request it next makes.
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    params(("session_id" = String, Path, description = "The session's id")),
    responses(
        (status = 204, description = "Ended"),
        (status = 403, description = "`not_while_impersonating`"),
        (status = 404, description = "No such live session of yours"),
    )
)]
#[delete("/me/sessions/{session_id}")]
async fn end_session(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    user.holder_only("end the account's sessions")?;
    let session = parse_id(&path)?;
    let (id, actor) = (user.id(), user.actor());
    state
        .db
        .transaction(move |conn| sessions::end(conn, &actor, id, session))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ends every session but the one this request comes from (with a personal API token, every
/// session).
#[utoipa::path(
    tag = "me",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "The others ended"),
        (status = 403, description = "`not_while_impersonating`"),
    )
)]
#[post("/me/sessions/revoke-others")]
async fn end_other_sessions(state: web::Data<AppState>, user: AuthUser) -> ApiResult<HttpResponse> {
    user.holder_only("end the account's sessions")?;
    let (id, actor, current) = (user.id(), user.actor(), user.session.clone());
    state
        .db
        .transaction(move |conn| sessions::end_others(conn, &actor, id, current.as_deref()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
