//! The audit log (`/audit-events`): admins read everything, partners their own and their
//! customers' events, customers their own.

use actix_web::{get, web, HttpResponse};
use types::audit::{AuditEvent, AuditFilter};
use types::{Page, PageQuery};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::AuthUser;
use crate::db::audit::{AuditEventRow, AuditQuery};
use crate::error::{AppError, AppResult};
use crate::routes::valid_query;
use crate::state::AppState;

pub fn configure(cfg: &mut ServiceConfig<'_>) {
    cfg.service(list_audit_events);
}

/// Audit events, newest first, paged by keyset: pass `next_cursor` back as `cursor` for the next
/// page (any depth costs the same). `page` is not used here.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = [])),
    params(AuditFilter, ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page, at most 100")),
    responses((status = 200, description = "One page of events", body = Page<AuditEvent>))
)]
#[get("/audit-events")]
async fn list_audit_events(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageQuery>,
    filter: web::Query<AuditFilter>,
) -> AppResult<HttpResponse> {
    let page = valid_query(page)?;
    let filter = valid_query(filter)?;
    let parse = |field: &str, value: Option<String>| -> AppResult<Option<i64>> {
        value
            .map(|v| {
                v.parse::<i64>()
                    .map_err(|_| AppError::invalid_field(field, "must be an id"))
            })
            .transpose()
    };
    let per_page = page.per_page();
    let query = AuditQuery {
        actor_id: parse("actor_id", filter.actor_id)?,
        action: filter.action,
        subject_type: filter.subject_type,
        subject_id: filter.subject_id,
        from: filter.from.map(|t| t.naive_utc()),
        to: filter.to.map(|t| t.naive_utc()),
        before_id: parse("cursor", filter.cursor)?,
        limit: i64::from(per_page) + 1,
    };
    let scope = user.scope();
    let (mut rows, total) = state
        .db
        .run(move |conn| AuditEventRow::list(conn, scope, &query))
        .await?;
    let next_cursor = if rows.len() > per_page as usize {
        rows.truncate(per_page as usize);
        rows.last().map(|r| r.id.to_string())
    } else {
        None
    };
    Ok(HttpResponse::Ok().json(Page {
        items: rows.iter().map(AuditEventRow::to_wire).collect(),
        total,
        page: 1,
        per_page,
        next_cursor,
    }))
}
