//! Partners (agencies, resellers): administered by admins only (`/partners...`).

use crate::routes::Register;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use types::accounts::{AccountSort, CreatePartner, Partner, PartnerFilter, Role, UpdatePartner};
use types::ErrorCode;
use types::{Page, PageQuery};

use crate::auth::password::hash_off_thread as hash_password;
use crate::auth::Admin;
use crate::db::accounts::{AccountChanges, AccountQuery, AccountRow};
use crate::db::page::Paging;
use crate::db::{parse_id, DbConn};
use crate::error::{ApiResult, AppError, AppResult};
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::onboarding::{ensure_owns_no_apps, update_account};
use crate::routes::{check_if_match, Versioned};
use crate::routes::{if_match_of, valid_query, with_etag, Valid};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_partners)
        .service(create_partner)
        .service(get_partner)
        .service(update_partner)
        .service(delete_partner);
}

/// The partner with this id, or 404 (also for an account of another role).
fn find_partner(conn: &mut DbConn, id: i64) -> AppResult<AccountRow> {
    AccountRow::find(conn, id)?
        .filter(|a| a.role() == Role::Partner)
        .ok_or_else(AppError::not_found)
}

/// Lists partners, newest first unless `sort` says otherwise.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(PageQuery, PartnerFilter),
    responses(
        (status = 200, description = "One page of partners", body = Page<Partner>),
        (status = 403, description = "`admin_only`"),
    )
)]
#[get("/partners")]
async fn list_partners(
    state: web::Data<AppState>,
    _admin: Admin,
    page: web::Query<PageQuery>,
    filter: web::Query<PartnerFilter>,
) -> ApiResult<HttpResponse> {
    let page = valid_query(page)?;
    let filter = valid_query(filter)?;
    let mut paging = Paging::new(&page)?;
    let query = AccountQuery {
        role: Some(Role::Partner),
        q: filter.q,
        status: filter.status,
        sort: paging.order(filter.sort, AccountSort::CreatedDesc),
        ..AccountQuery::default()
    };
    let (rows, total) = state
        .db
        .run(move |conn| Ok(AccountRow::list(conn, &query, &paging)?))
        .await?;
    Ok(HttpResponse::Ok().json(paging.answer(
        rows,
        total,
        AccountRow::created_key,
        AccountRow::to_wire,
    )))
}

/// Creates a partner account. Without `password`, an activated partner is emailed a set-password
/// link and a pending one an activation link.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    request_body = CreatePartner,
    responses(
        (status = 201, description = "Created", body = Partner,
            headers(("ETag" = String, description = "Version, for `If-Match`"), ("Location" = String, description = "The partner's URL"))),
        (status = 403, description = "`admin_only`"),
        (status = 409, description = "`email_taken`"),
    )
)]
#[post("/partners")]
async fn create_partner(
    req: HttpRequest,
    state: web::Data<AppState>,
    admin: Admin,
    body: Valid<CreatePartner>,
) -> ApiResult<HttpResponse> {
    let password_hash = match body.0.password.clone() {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };
    let actor = admin.0.actor();
    let mailer = state.mailer.clone();
    let owner = KeyOwner::Account(admin.0.id());
    idempotency::run(&state, &req, owner, body.0, move |conn, body| {
        let account = crate::partners::create(conn, &actor, &mailer, body, password_hash)?;
        let location = format!("/api/v1/partners/{}", account.id);
        Ok(Outcome::created(&account.to_wire(), location)?.etag(&account.etag()))
    })
    .await
}

/// One partner.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The partner's id")),
    responses(
        (status = 200, description = "The partner", body = Partner,
            headers(("ETag" = String, description = "Version, for `If-Match`"))),
        (status = 403, description = "`admin_only`"),
        (status = 404, description = "No such partner"),
    )
)]
#[get("/partners/{id}")]
async fn get_partner(
    state: web::Data<AppState>,
    _admin: Admin,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let account = state.db.run(move |conn| find_partner(conn, id)).await?;
    Ok(with_etag(HttpResponse::Ok(), &account))
}

/// Edits a partner, including its status. Send `If-Match` with the ETag you read to be sure
/// nobody changed it meanwhile (412 otherwise). Locking signs the partner out everywhere.
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The partner's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body = UpdatePartner,
    responses(
        (status = 200, description = "The updated partner", body = Partner,
            headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "`admin_only`"),
        (status = 404, description = "No such partner"),
        (status = 409, description = "`email_taken`"),
        (status = 412, description = "`stale_version`: changed since read"),
    )
)]
#[patch("/partners/{id}")]
async fn update_partner(
    state: web::Data<AppState>,
    admin: Admin,
    req: HttpRequest,
    path: web::Path<String>,
    body: Valid<UpdatePartner>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let body = body.0;
    let if_match = if_match_of(&req);
    let actor = admin.0.actor();
    let account = state
        .db
        .transaction(move |conn| {
            let current = find_partner(conn, id)?;
            check_if_match(if_match.as_deref(), &current)?;
            let changes = AccountChanges {
                email: body.email,
                first_name: body.first_name.map(|s| s.trim().to_owned()),
                last_name: body.last_name.map(|s| s.trim().to_owned()),
                company: body.company.map(|s| Some(s.trim().to_owned())),
                phone: body.phone,
                country: body.country,
                coupon_max_percent_off: body.coupon_max_percent_off,
                ..AccountChanges::default()
            };
            let account = update_account(conn, &actor, &current, changes, body.status, "partner")?;
            Ok(account)
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &account))
}

/// Deletes a partner that has no customers and no apps (409 `partner_has_customers` or
/// `partner_has_apps` otherwise: move or delete them first).
#[utoipa::path(
    tag = "partners",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The partner's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "`admin_only`"),
        (status = 404, description = "No such partner"),
        (status = 409, description = "`partner_has_customers`, or `partner_has_apps`"),
        (status = 412, description = "`stale_version`"),
    )
)]
#[delete("/partners/{id}")]
async fn delete_partner(
    state: web::Data<AppState>,
    admin: Admin,
    req: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let if_match = if_match_of(&req);
    let actor = admin.0.actor();
    state
        .db
        .transaction(move |conn| {
            let current = find_partner(conn, id)?;
            check_if_match(if_match.as_deref(), &current)?;
            let customers = AccountRow::count_customers_of(conn, id)?;
            if customers > 0 {
                return Err(AppError::new(ErrorCode::PartnerHasCustomers,
                    format!("This partner still manages {customers} customer(s); move or delete them first."),
                ));
            }
            ensure_owns_no_apps(conn, id, ErrorCode::PartnerHasApps)?;
            actor.record(conn, "partner.delete", "partner", Some(id.to_string()))?;
            Ok(AccountRow::delete(conn, id)?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
