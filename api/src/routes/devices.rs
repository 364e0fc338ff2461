//! An app's devices ("Manage devices"): `/apps/{id}/devices` and its summary.

use crate::routes::Register;
use actix_web::{get, web, HttpResponse};
use types::devices::{Device, DeviceFilter, DeviceSummary};
use types::{Page, PageQuery};

use crate::auth::AuthUser;
use crate::db::devices::{top_shares, DeviceRow};
use crate::db::page::Paging;
use crate::db::parse_id;
use crate::error::ApiResult;
use crate::routes::valid_query;
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_devices).service(device_summary);
}

/// The devices the app is installed on, newest first, with filters. Page by `cursor` for any
/// depth at the cost of the first page.
#[utoipa::path(
    tag = "devices",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id"), PageQuery, DeviceFilter),
    responses(
        (status = 200, description = "One page of devices", body = Page<Device>),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}/devices")]
async fn list_devices(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    page: web::Query<PageQuery>,
    filter: web::Query<DeviceFilter>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let filter = valid_query(filter)?;
    let paging = Paging::<i64>::new(&valid_query(page)?)?;
    let (rows, total) = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            Ok(DeviceRow::list(conn, app.id, &filter, &paging)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(paging.answer(rows, total, |r| r.id, DeviceRow::to_wire)))
}

/// "Which device types are preferable": counts and shares of the devices matching the filters
/// by platform, model, OS version and app version.
#[utoipa::path(
    tag = "devices",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id"), DeviceFilter),
    responses(
        (status = 200, description = "The breakdown", body = DeviceSummary),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}/devices/summary")]
async fn device_summary(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    filter: web::Query<DeviceFilter>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let filter = valid_query(filter)?;
    let counts = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            Ok(DeviceRow::breakdown(conn, app.id, &filter)?)
        })
        .await?;
    let total = counts.total;
    Ok(HttpResponse::Ok().json(DeviceSummary {
        total,
        push_enabled: counts.push_enabled,
        by_platform: top_shares(counts.by_platform, total),
        by_model: top_shares(counts.by_model, total),
        by_os_version: top_shares(counts.by_os_version, total),
        by_app_version: top_shares(counts.by_app_version, total),
    }))
}
