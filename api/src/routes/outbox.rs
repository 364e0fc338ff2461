//! The email outbox (`/outbox`), for admins: shows every email with its links, so an installation
//! without SMTP can still activate people.

use crate::routes::Register;
use actix_web::{get, web, HttpResponse};
use types::outbox::{OutboxEmail, OutboxFilter};
use types::{Page, PageQuery};

use crate::auth::Admin;
use crate::db::emails::EmailRow;
use crate::db::page::Paging;
use crate::error::ApiResult;
use crate::routes::valid_query;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_outbox);
}

/// Outgoing emails, newest first.
#[utoipa::path(
    tag = "outbox",
    security(("bearer" = [])),
    params(PageQuery, OutboxFilter),
    responses(
        (status = 200, description = "One page of emails", body = Page<OutboxEmail>),
        (status = 403, description = "`admin_only`"),
    )
)]
#[get("/outbox")]
async fn list_outbox(
    state: web::Data<AppState>,
    _admin: Admin,
    page: web::Query<PageQuery>,
    filter: web::Query<OutboxFilter>,
) -> ApiResult<HttpResponse> {
    let paging = Paging::<i64>::new(&valid_query(page)?)?;
    let filter = valid_query(filter)?;
    let (rows, total) = state
        .db
        .run(move |conn| {
            Ok(EmailRow::list(
                conn,
                filter.to.as_deref(),
                filter.status,
                &paging,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(paging.answer(rows, total, |r| r.id, EmailRow::to_wire)))
}
