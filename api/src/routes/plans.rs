//! The price list (`/plans`, written by administrators, read by everyone signed in); coupons
//! are in `coupons`.

use crate::routes::Register;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use types::accounts::Role;
use types::billing::{CreatePlan, Plan, PlanFilter, UpdatePlan};
use types::ErrorCode;
use types::{Page, PageQuery};

use crate::auth::{Admin, AuthUser};
use crate::db::page::Paging;
use crate::db::parse_id;
use crate::db::plans::{PlanChanges, PlanRow};
use crate::error::{ApiError, ApiResult, AppError};
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::routes::{check_if_match, versioned, Versioned};
use crate::routes::{if_match_of, valid_query, Valid};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_plans)
        .service(create_plan)
        .service(get_plan)
        .service(update_plan)
        .service(delete_plan);
}

fn plan_in_use() -> AppError {
    AppError::new(
        ErrorCode::PlanInUse,
        "Subscriptions use this plan: its edition, interval, price and currency are fixed and it \
         cannot be deleted. Archive it (`active: false`) and create a new plan instead.",
    )
}

/// The plans, cheapest first. Administrators see archived plans too (filter with `active`).
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(PageQuery, PlanFilter),
    responses(
        (status = 200, description = "One page of plans", body = Page<Plan>),
        (status = 422, description = "`validation_failed`: e.g. a `cursor` (this list pages by `page` only)"),
    )
)]
#[get("/plans")]
async fn list_plans(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageQuery>,
    filter: web::Query<PlanFilter>,
) -> ApiResult<HttpResponse> {
    let filter = valid_query(filter)?;
    let paging = Paging::<i64>::offset_only(&valid_query(page)?)?;
    let only_active = user.role() != Role::Admin;
    let (rows, total) = state
        .db
        .run(move |conn| Ok(PlanRow::list(conn, &filter, only_active, &paging)?))
        .await?;
    Ok(HttpResponse::Ok().json(paging.answer(rows, total, |p| p.id, PlanRow::to_wire)))
}

/// Adds a plan (administrators).
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    request_body = CreatePlan,
    responses(
        (status = 201, description = "Created", body = Plan,
            headers(("ETag" = String, description = "Version, for `If-Match`"))),
        (status = 403, description = "`admin_only`"),
        (status = 422, description = "`validation_failed`"),
    )
)]
#[post("/plans")]
async fn create_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(user): Admin,
    body: Valid<CreatePlan>,
) -> ApiResult<HttpResponse> {
    let owner = KeyOwner::Account(user.id());
    idempotency::run(&state, &req, owner, body.0, move |conn, b| {
        let plan = crate::billing::create_plan(conn, &user.actor(), &b, crate::clock::now())?;
        let location = format!("/api/v1/plans/{}", plan.id);
        Ok(Outcome::created(&plan.to_wire(), location)?.etag(&plan.etag()))
    })
    .await
}

/// One plan (an archived one for administrators only).
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The plan's id")),
    responses(
        (status = 200, description = "The plan", body = Plan,
            headers(("ETag" = String, description = "Version, for `If-Match`"))),
        (status = 404, description = "No such plan"),
    )
)]
#[get("/plans/{id}")]
async fn get_plan(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let plan = state
        .db
        .run(move |conn| Ok(PlanRow::find(conn, id)?))
        .await?;
    if !plan.active && user.role() != Role::Admin {
        return Err(ApiError(AppError::not_found()));
    }
    Ok(versioned(HttpResponse::Ok(), &plan, &plan.to_wire()))
}

/// Changes a plan (administrators). Name, trial days and `active` always; edition, interval,
/// price and currency only while no subscription uses it (else 409 `plan_in_use`).
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The plan's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag read with the plan"),
    ),
    request_body = UpdatePlan,
    responses(
        (status = 200, description = "Changed", body = Plan,
            headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "`admin_only`"),
        (status = 404, description = "No such plan"),
        (status = 409, description = "`plan_in_use`"),
        (status = 412, description = "`stale_version`"),
        (status = 422, description = "`validation_failed`"),
    )
)]
#[patch("/plans/{id}")]
async fn update_plan(
    req: HttpRequest,
    state: web::Data<AppState>,
    Admin(user): Admin,
    path: web::Path<String>,
    body: Valid<UpdatePlan>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let if_match = if_match_of(&req);
    let plan = state
        .db
        .transaction(move |conn| {
            let plan = PlanRow::find(conn, id)?;
            check_if_match(if_match.as_deref(), &plan)?;
            let b = &body.0;
            let terms_change = b.edition.is_some_and(|e| e != plan.edition)
                || b.interval.is_some_and(|i| i != plan.billing_interval)
                || b.price.is_some_and(|p| p != plan.price)
                || b.currency.as_deref().is_some_and(|c| c != plan.currency);
            if terms_change && PlanRow::in_use(conn, id)? {
                return Err(plan_in_use());
            }
            let plan = PlanRow::update(
                conn,
                id,
                &PlanChanges {
                    name: b.name.as_deref().map(str::trim),
                    edition: b.edition.map(|e| e.as_str()),
                    billing_interval: b.interval.map(|i| i.as_str()),
                    price: b.price,
                    currency: b.currency.as_deref(),
                    trial_days: b.trial_days,
                    active: b.active,
                    publish_in_trial: b.publish_in_trial,
                },
            )?;
            user.actor()
                .record(conn, "plan.update", "plan", Some(id.to_string()))?;
            Ok(plan)
        })
        .await?;
    Ok(versioned(HttpResponse::Ok(), &plan, &plan.to_wire()))
}

/// Deletes a plan no subscription has used (administrators); a used plan is 409 `plan_in_use`:
/// archive it instead.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The plan's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "`admin_only`"),
        (status = 404, description = "No such plan"),
        (status = 409, description = "`plan_in_use`"),
    )
)]
#[delete("/plans/{id}")]
async fn delete_plan(
    state: web::Data<AppState>,
    Admin(user): Admin,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    state
        .db
        .transaction(move |conn| {
            PlanRow::find(conn, id)?;
            if PlanRow::in_use(conn, id)? {
                return Err(plan_in_use());
            }
            user.actor()
                .record(conn, "plan.delete", "plan", Some(id.to_string()))?;
            Ok(PlanRow::delete(conn, id)?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
