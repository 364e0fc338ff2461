//! Customers, managed by their partner (admins manage all): `/customers...`, including
//! "log in as" (`POST /customers/{id}/impersonate`, in `impersonate.rs`) and the activation email
//! again (`activation.rs`).

mod activation;
mod impersonate;

use crate::routes::Register;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use types::accounts::{AccountSort, Role};
use types::customers::{CreateCustomer, Customer, CustomerFilter, UpdateCustomer};
use types::{Page, PageQuery};

use crate::auth::password::hash_off_thread as hash_password;
use crate::auth::Manager;
use crate::db::accounts::trimmed;
use crate::db::accounts::{AccountChanges, AccountQuery, AccountRow};
use crate::db::page::Paging;
use crate::db::parse_id;
use crate::error::ApiResult;
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::onboarding::update_account;
use crate::routes::{check_if_match, Versioned};
use crate::routes::{if_match_of, valid_query, with_etag, Valid};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_customers)
        .service(create_customer)
        .service(get_customer)
        .service(update_customer)
        .service(delete_customer)
        .service(impersonate::impersonate_customer)
        .service(activation::resend_activation);
}

fn day_start(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).unwrap_or_default()
}

/// Lists customers: a partner sees its own, an admin all (or one partner's with `partner_id`).
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(PageQuery, CustomerFilter),
    responses(
        (status = 200, description = "One page of customers", body = Page<Customer>),
        (status = 403, description = "`partners_only`: customers cannot list customers"),
    )
)]
#[get("/customers")]
async fn list_customers(
    state: web::Data<AppState>,
    manager: Manager,
    page: web::Query<PageQuery>,
    filter: web::Query<CustomerFilter>,
) -> ApiResult<HttpResponse> {
    let page = valid_query(page)?;
    let filter = valid_query(filter)?;
    let user = manager.0;
    let requested = filter.partner_id.as_deref().map(parse_id).transpose()?;
    let partner_id = user.scope().customers_of(requested);
    let (mut from, mut before) = (filter.created_from.map(day_start), None);
    if let Some(to) = filter.created_to {
        before = Some(day_start(to) + Duration::days(1));
    }
    if let Some(day) = filter.created_on {
        from = Some(from.map_or(day_start(day), |f| f.max(day_start(day))));
        let end = day_start(day) + Duration::days(1);
        before = Some(before.map_or(end, |b| b.min(end)));
    }
    let mut paging = Paging::new(&page)?;
    let query = AccountQuery {
        role: Some(Role::Customer),
        partner_id,
        q: filter.q,
        status: filter.status,
        created_from: from,
        created_before: before,
        sort: paging.order(filter.sort, AccountSort::CreatedDesc),
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

/// Creates a customer account ("Add New Customer"). A partner's customers are its own; an admin
/// may name the partner. Without `password`, an activated customer is emailed a set-password link
/// and a pending one an activation link.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    request_body = CreateCustomer,
    responses(
        (status = 201, description = "Created", body = Customer,
            headers(("ETag" = String, description = "Version, for `If-Match`"), ("Location" = String, description = "The customer's URL"))),
        (status = 403, description = "`partners_only`"),
        (status = 404, description = "`partner_not_found`: `partner_id` names no partner"),
        (status = 409, description = "`email_taken`"),
    )
)]
#[post("/customers")]
async fn create_customer(
    req: HttpRequest,
    state: web::Data<AppState>,
    manager: Manager,
    body: Valid<CreateCustomer>,
) -> ApiResult<HttpResponse> {
    let user = manager.0;
    let password_hash = match body.0.password.clone() {
        Some(p) => Some(hash_password(p).await?),
        None => None,
    };
    let requested_partner = body
        .0
        .partner_id
        .as_deref()
        .map(str::parse::<i64>)
        .transpose()
        .ok()
        .flatten();
    let actor = user.actor();
    let mailer = state.mailer.clone();
    let owner = KeyOwner::Account(user.id());
    idempotency::run(&state, &req, owner, body.0, move |conn, body| {
        let who = (user.scope(), &actor);
        let account =
            crate::customers::create(conn, who, (&mailer, requested_partner), body, password_hash)?;
        let wire = account.to_wire();
        Ok(
            Outcome::created(&wire, format!("/api/v1/customers/{}", account.id))?
                .etag(&account.etag()),
        )
    })
    .await
}

/// One customer ("pencil icon": its details).
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The customer's id")),
    responses(
        (status = 200, description = "The customer", body = Customer,
            headers(("ETag" = String, description = "Version, for `If-Match`"))),
        (status = 403, description = "`partners_only`"),
        (status = 404, description = "No such customer of yours"),
    )
)]
#[get("/customers/{id}")]
async fn get_customer(
    state: web::Data<AppState>,
    manager: Manager,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let account = state
        .db
        .run(move |conn| Ok(manager.0.scope().find_customer(conn, id)?))
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &account))
}

/// Edits a customer, including its status (`pending_activation`, `activated`, `locked`; locking
/// signs the customer out everywhere at once). Send `If-Match` to get 412 instead of overwriting
/// someone else's change.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The customer's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body = UpdateCustomer,
    responses(
        (status = 200, description = "The updated customer", body = Customer,
            headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "`partners_only`"),
        (status = 404, description = "No such customer of yours"),
        (status = 409, description = "`email_taken`"),
        (status = 412, description = "`stale_version`"),
    )
)]
#[patch("/customers/{id}")]
async fn update_customer(
    state: web::Data<AppState>,
    manager: Manager,
    req: HttpRequest,
    path: web::Path<String>,
    body: Valid<UpdateCustomer>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let body = body.0;
    let if_match = if_match_of(&req);
    let account = state
        .db
        .transaction(move |conn| {
            let current = manager.0.scope().find_customer(conn, id)?;
            check_if_match(if_match.as_deref(), &current)?;
            let changes = AccountChanges {
                email: body.email,
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
            update_account(
                conn,
                &manager.0.actor(),
                &current,
                changes,
                body.status,
                "customer",
            )
        })
        .await?;
    Ok(with_etag(HttpResponse::Ok(), &account))
}

/// Deletes a customer account that owns no apps (409 `customer_has_apps` otherwise: an app's
/// devices, analytics and users are not deleted by accident). Its sessions and tokens go with
/// it; the audit log stays.
#[utoipa::path(
    tag = "customers",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The customer's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "`partners_only`"),
        (status = 404, description = "No such customer of yours"),
        (status = 409, description = "`has_active_subscription`, `customer_has_apps`"),
        (status = 412, description = "`stale_version`"),
    )
)]
#[delete("/customers/{id}")]
async fn delete_customer(
    state: web::Data<AppState>,
    manager: Manager,
    req: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let if_match = if_match_of(&req);
    let billing = state.billing.clone();
    let now = state.clock.now();
    state
        .db
        .transaction(move |conn| {
            let who = (manager.0.scope(), &manager.0.actor());
            let version = (id, if_match.as_deref());
            crate::customers::delete(conn, who, version, &billing, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
