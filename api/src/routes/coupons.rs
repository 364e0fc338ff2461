//! Coupons (`/coupons`): administrators' apply to every customer, partners' to their own
//! customers only.

use crate::routes::Register;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use types::accounts::Role;
use types::billing::{Coupon, CreateCoupon, UpdateCoupon};
use types::{Page, PageQuery};

use crate::auth::{AuthUser, Manager};
use crate::db::accounts::AccountRow;
use crate::db::page::Paging;
use crate::db::plans::{CouponChanges, CouponRow, NewCoupon, PlanRow};
use crate::db::{micros, parse_id};
use crate::error::{ApiResult, AppError};
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::routes::{check_if_match, versioned, Versioned};
use crate::routes::{if_match_of, valid_query, Valid};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_coupons)
        .service(create_coupon)
        .service(get_coupon)
        .service(update_coupon)
        .service(delete_coupon);
}

/// Whose coupons a manager manages: a partner its own, an administrator all (`None`).
fn coupon_owner(user: &AuthUser) -> Option<i64> {
    (user.role() == Role::Partner).then(|| user.id())
}

/// Coupons, newest first: an administrator's view holds all, a partner's its own.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(PageQuery),
    responses(
        (status = 200, description = "One page of coupons", body = Page<Coupon>),
        (status = 403, description = "`partners_only`: customers do not manage coupons"),
    )
)]
#[get("/coupons")]
async fn list_coupons(
    state: web::Data<AppState>,
    Manager(user): Manager,
    page: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let paging = Paging::<i64>::new(&valid_query(page)?)?;
    let owner = coupon_owner(&user);
    let (rows, total) = state
        .db
        .run(move |conn| Ok(CouponRow::list(conn, owner, &paging)?))
        .await?;
    let now = state.clock.now();
    Ok(HttpResponse::Ok().json(paging.answer(
        rows,
        total,
        |(c, _)| c.id,
        |(c, plans)| c.to_wire(plans, now),
    )))
}

/// Creates a coupon: an administrator's applies to any customer, a partner's to its own
/// customers only. Codes are unique per issuer (the installation, or one partner) whatever their
/// case (409 `coupon_code_taken`); a customer redeeming a code its partner and the installation
/// both issued gets its partner's. A partner's
/// coupon gives at most what an administrator set for that partner (`coupon_max_percent_off`),
/// else `PARTNER_COUPON_MAX_PERCENT_OFF` percent (20 by default) of the price
/// (an amount off must name its plans and stay within that share of each), and never 100 % off
/// forever: 422 on `percent_off` / `amount_off` beyond it.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    request_body = CreateCoupon,
    responses(
        (status = 201, description = "Created", body = Coupon,
            headers(("ETag" = String, description = "Version, for `If-Match`"))),
        (status = 403, description = "`partners_only`"),
        (status = 409, description = "`coupon_code_taken`"),
        (status = 422, description = "`validation_failed`: e.g. both `percent_off` and `amount_off`, or a plan id that names no plan"),
    )
)]
#[post("/coupons")]
async fn create_coupon(
    req: HttpRequest,
    state: web::Data<AppState>,
    Manager(user): Manager,
    body: Valid<CreateCoupon>,
) -> ApiResult<HttpResponse> {
    let owner = coupon_owner(&user);
    let now = state.clock.now();
    let default_max_percent = state.settings.partner_coupon_max_percent_off;
    let key_owner = KeyOwner::Account(user.id());
    idempotency::run(&state, &req, key_owner, body.0, move |conn, b| {
        // Each named plan must exist; naming one twice is naming it once.
        let mut plan_ids: Vec<i64> = b.plan_ids.iter().filter_map(|p| p.parse().ok()).collect();
        plan_ids.sort_unstable();
        plan_ids.dedup();
        let found = PlanRow::by_ids(conn, &plan_ids)?;
        if b.plan_ids
            .iter()
            .any(|p| !p.parse().is_ok_and(|p| found.contains_key(&p)))
        {
            return Err(AppError::invalid_field(
                "plan_ids",
                "names a plan that does not exist",
            ));
        }
        if b.redeem_by.is_some_and(|by| micros(by.naive_utc()) <= now) {
            return Err(AppError::invalid_field(
                "redeem_by",
                "must be in the future",
            ));
        }
        if let Some(partner) = owner {
            let max_percent = AccountRow::find(conn, partner)?
                .and_then(|p| p.coupon_max_percent_off)
                .unwrap_or(default_max_percent);
            crate::billing::ensure_partner_discount(&b, &found, max_percent)?;
        }
        let created = CouponRow::insert(
            conn,
            &NewCoupon {
                code: &b.code,
                code_key: b.code.to_lowercase(),
                partner_id: owner,
                percent_off: b.percent_off,
                amount_off: b.amount_off,
                currency: b.currency.as_deref(),
                duration: b.duration.as_str(),
                duration_in_months: b.duration_in_months,
                redeem_by: b.redeem_by.map(|t| micros(t.naive_utc())),
                max_redemptions: b.max_redemptions,
                created_at: now,
                updated_at: now,
            },
            &plan_ids,
        )?;
        user.actor().record(
            conn,
            "coupon.create",
            "coupon",
            Some(created.0.id.to_string()),
        )?;
        let (coupon, plans) = created;
        let location = format!("/api/v1/coupons/{}", coupon.id);
        Ok(Outcome::created(&coupon.to_wire(&plans, now), location)?.etag(&coupon.etag()))
    })
    .await
}

/// One coupon.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The coupon's id")),
    responses(
        (status = 200, description = "The coupon", body = Coupon,
            headers(("ETag" = String, description = "Version, for `If-Match`"))),
        (status = 403, description = "`partners_only`"),
        (status = 404, description = "No such coupon of yours"),
    )
)]
#[get("/coupons/{id}")]
async fn get_coupon(
    state: web::Data<AppState>,
    Manager(user): Manager,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let owner = coupon_owner(&user);
    let (coupon, plans) = state
        .db
        .run(move |conn| Ok(CouponRow::find(conn, id, owner)?))
        .await?;
    Ok(versioned(
        HttpResponse::Ok(),
        &coupon,
        &coupon.to_wire(&plans, state.clock.now()),
    ))
}

/// Changes a coupon's limits (`redeem_by`, `max_redemptions`); its terms are fixed.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The coupon's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag read with the coupon"),
    ),
    request_body = UpdateCoupon,
    responses(
        (status = 200, description = "Changed", body = Coupon,
            headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "`partners_only`"),
        (status = 404, description = "No such coupon of yours"),
        (status = 412, description = "`stale_version`"),
        (status = 422, description = "`validation_failed`"),
    )
)]
#[patch("/coupons/{id}")]
async fn update_coupon(
    req: HttpRequest,
    state: web::Data<AppState>,
    Manager(user): Manager,
    path: web::Path<String>,
    body: Valid<UpdateCoupon>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let owner = coupon_owner(&user);
    let if_match = if_match_of(&req);
    let (coupon, plans) = state
        .db
        .transaction(move |conn| {
            let (coupon, _) = CouponRow::find(conn, id, owner)?;
            check_if_match(if_match.as_deref(), &coupon)?;
            let changes = CouponChanges {
                redeem_by: body.0.redeem_by.map(|by| by.map(|t| micros(t.naive_utc()))),
                max_redemptions: body.0.max_redemptions,
            };
            let updated = CouponRow::update(conn, id, &changes)?;
            user.actor()
                .record(conn, "coupon.update", "coupon", Some(id.to_string()))?;
            Ok(updated)
        })
        .await?;
    Ok(versioned(
        HttpResponse::Ok(),
        &coupon,
        &coupon.to_wire(&plans, state.clock.now()),
    ))
}

/// Deletes a coupon: it can no longer be redeemed; discounts already given keep their terms.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The coupon's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "`partners_only`"),
        (status = 404, description = "No such coupon of yours"),
    )
)]
#[delete("/coupons/{id}")]
async fn delete_coupon(
    state: web::Data<AppState>,
    Manager(user): Manager,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let owner = coupon_owner(&user);
    state
        .db
        .transaction(move |conn| {
            CouponRow::find(conn, id, owner)?;
            user.actor()
                .record(conn, "coupon.delete", "coupon", Some(id.to_string()))?;
            Ok(CouponRow::delete(conn, id)?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
