//! An app's analytics ("Get Mobile Analytics"): `GET /apps/{id}/analytics`.

use crate::routes::Register;
use actix_web::{get, web, HttpResponse};
use types::analytics::{Analytics, AnalyticsQuery};

use crate::analytics::Plan;
use crate::auth::AuthUser;
use crate::db::parse_id;
use crate::error::ApiResult;
use crate::routes::valid_query;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(app_analytics);
}

/// Installs, active devices, sessions, mean session length, push opens, orders and revenue per
/// day, week (from Monday) or month of the range, counted in the time zone `tz`, plus totals.
/// A range may hold at most 400 buckets.
#[utoipa::path(
    tag = "analytics",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id"), AnalyticsQuery),
    responses(
        (status = 200, description = "The figures", body = Analytics),
        (status = 404, description = "No such app of yours"),
        (status = 422, description = "`from` after `to`, an unknown `tz`, or more than 400 buckets"),
    )
)]
#[get("/apps/{id}/analytics")]
async fn app_analytics(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<AnalyticsQuery>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let plan = Plan::new(&valid_query(query)?, state.clock.now())?;
    let analytics = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            plan.run(conn, app.id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(analytics))
}
