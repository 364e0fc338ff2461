//! The audit log (`/audit-events`): admins read everything, partners their own and their
//! customers' events, customers their own.

use crate::routes::Register;
use actix_web::{get, web, HttpResponse};
use types::audit::{AuditEvent, AuditFilter};
use types::{Page, PageQuery};

use crate::auth::AuthUser;
use crate::db::audit::{AuditEventRow, AuditQuery, People};
use crate::db::page::Paging;
use crate::error::{ApiResult, AppError};
use crate::routes::valid_query;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_audit_events);
}

/// Audit events, newest first.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(PageQuery, AuditFilter),
    responses((status = 200, description = "One page of events", body = Page<AuditEvent>))
)]
#[get("/audit-events")]
async fn list_audit_events(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageQuery>,
    filter: web::Query<AuditFilter>,
) -> ApiResult<HttpResponse> {
    let paging = Paging::<i64>::new(&valid_query(page)?)?;
    let filter = valid_query(filter)?;
    let actor_id = filter
        .actor_id
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| AppError::invalid_field("actor_id", "must be an id"))
        })
        .transpose()?;
    let query = AuditQuery {
        actor_id,
        action: filter.action,
        subject_type: filter.subject_type,
        subject_id: filter.subject_id,
        from: filter.from.map(|t| t.naive_utc()),
        to: filter.to.map(|t| t.naive_utc()),
    };
    let scope = user.scope();
    let (rows, total, people) = state
        .db
        .run(move |conn| {
            let (rows, total) = AuditEventRow::list(conn, scope, &query, &paging)?;
            let people = People::of(conn, &rows)?;
            Ok((rows, total, people))
        })
        .await?;
    Ok(HttpResponse::Ok().json(paging.answer(rows, total, |r| r.id, |r| r.to_wire(&people))))
}
