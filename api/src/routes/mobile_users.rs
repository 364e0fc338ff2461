//! "Manage Mobile Users" of stand-alone apps: `/apps/{id}/mobile-users...`. For Magento apps
//! every route answers 403 `managed_by_magento`: their users live in the Magento store.

use crate::routes::Register;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use types::mobile_users::{CreateMobileUser, MobileUser, MobileUserFilter, UpdateMobileUser};
use types::{Page, PageQuery};

use crate::auth::AuthUser;
use crate::db::apps::AppRow;
use crate::db::mobile_users::MobileUserRow;
use crate::db::page::Paging;
use crate::db::{parse_id, DbConn};
use crate::error::{ApiResult, AppResult};
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::routes::{csv, if_match_of, valid_query, Valid};
use crate::routes::{versioned, Versioned};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_mobile_users)
        .service(export_mobile_users)
        .service(create_mobile_user)
        .service(get_mobile_user)
        .service(update_mobile_user)
        .service(delete_mobile_user);
}

/// A stand-alone app `user` may manage.
fn standalone_app(conn: &mut DbConn, user: &AuthUser, id: i64) -> AppResult<AppRow> {
    crate::mobile_users::standalone_app(conn, user.scope(), id)
}

fn respond(response: actix_web::HttpResponseBuilder, user: &MobileUserRow) -> HttpResponse {
    versioned(response, user, &user.to_wire())
}

/// The app's users, newest first, with search and status filter; `total` is their count.
#[utoipa::path(
    tag = "mobile users",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id"), PageQuery, MobileUserFilter),
    responses(
        (status = 200, description = "One page of users", body = Page<MobileUser>),
        (status = 403, description = "`managed_by_magento`"),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}/mobile-users")]
async fn list_mobile_users(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    page: web::Query<PageQuery>,
    filter: web::Query<MobileUserFilter>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let filter = valid_query(filter)?;
    let paging = Paging::<i64>::new(&valid_query(page)?)?;
    let (rows, total) = state
        .db
        .run(move |conn| {
            let app = standalone_app(conn, &user, id)?;
            Ok(MobileUserRow::list(conn, app.id, &filter, &paging)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(paging.answer(rows, total, |r| r.id, MobileUserRow::to_wire)))
}

/// The users matching the filters as CSV (UTF-8, a header row, newest first).
#[utoipa::path(
    tag = "mobile users",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id"), MobileUserFilter),
    responses(
        (status = 200, description = "CSV: id, email, first_name, last_name, phone, status, created_at", content_type = "text/csv", body = String),
        (status = 403, description = "`managed_by_magento`"),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}/mobile-users/export")]
async fn export_mobile_users(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    filter: web::Query<MobileUserFilter>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let filter = valid_query(filter)?;
    let app = state
        .db
        .run(move |conn| standalone_app(conn, &user, id))
        .await?;
    let header = [
        "id",
        "email",
        "first_name",
        "last_name",
        "phone",
        "status",
        "created_at",
    ];
    Ok(csv::stream(
        state.db.clone(),
        &format!("app-{id}-mobile-users.csv"),
        &header,
        move |conn, after| {
            let (rows, _) =
                MobileUserRow::list(conn, app.id, &filter, &Paging::chunk(after, csv::CHUNK))?;
            let records = rows
                .iter()
                .map(|u| {
                    vec![
                        u.id.to_string(),
                        u.email.clone(),
                        u.first_name.clone(),
                        u.last_name.clone(),
                        u.phone.clone().unwrap_or_default(),
                        u.status.as_str().to_owned(),
                        crate::db::utc(u.created_at).to_rfc3339(),
                    ]
                })
                .collect();
            Ok((records, csv::next_key(&rows, |u| u.id)))
        },
    )?)
}

/// Adds a user to the app.
#[utoipa::path(
    tag = "mobile users",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id")),
    request_body = CreateMobileUser,
    responses(
        (status = 201, description = "Created", body = MobileUser,
            headers(("ETag" = String, description = "Version, for `If-Match`"), ("Location" = String, description = "The user's URL"))),
        (status = 403, description = "`managed_by_magento`"),
        (status = 404, description = "No such app of yours"),
        (status = 409, description = "`email_taken` in this app"),
    )
)]
#[post("/apps/{id}/mobile-users")]
async fn create_mobile_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Valid<CreateMobileUser>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let owner = KeyOwner::Account(user.id());
    idempotency::run(&state, &req, owner, body.0, move |conn, body| {
        let app = standalone_app(conn, &user, id)?;
        let created = crate::mobile_users::create_audited(conn, &user.actor(), &app, &body)?;
        let location = format!("/api/v1/apps/{id}/mobile-users/{}", created.id);
        Ok(Outcome::created(&created.to_wire(), location)?.etag(&created.etag()))
    })
    .await
}

/// One user.
#[utoipa::path(
    tag = "mobile users",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("user_id" = String, Path, description = "The user's id"),
   ),
    responses(
        (status = 200, description = "The user", body = MobileUser,
            headers(("ETag" = String, description = "Version, for `If-Match`"))),
        (status = 403, description = "`managed_by_magento`"),
        (status = 404, description = "No such app or user"),
    )
)]
#[get("/apps/{id}/mobile-users/{user_id}")]
async fn get_mobile_user(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, user_id) = (parse_id(&path.0)?, parse_id(&path.1)?);
    let found = state
        .db
        .run(move |conn| {
            let app = standalone_app(conn, &user, id)?;
            Ok(MobileUserRow::find(conn, app.id, user_id)?)
        })
        .await?;
    Ok(respond(HttpResponse::Ok(), &found))
}

/// Edits a user; `status: blocked` blocks, `active` unblocks.
#[utoipa::path(
    tag = "mobile users",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("user_id" = String, Path, description = "The user's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
   ),
    request_body = UpdateMobileUser,
    responses(
        (status = 200, description = "The updated user", body = MobileUser,
            headers(("ETag" = String, description = "The new version"))),
        (status = 403, description = "`managed_by_magento`"),
        (status = 404, description = "No such app or user"),
        (status = 409, description = "`email_taken` in this app"),
        (status = 412, description = "`stale_version`"),
    )
)]
#[patch("/apps/{id}/mobile-users/{user_id}")]
async fn update_mobile_user(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Valid<UpdateMobileUser>,
) -> ApiResult<HttpResponse> {
    let (id, user_id) = (parse_id(&path.0)?, parse_id(&path.1)?);
    let if_match = if_match_of(&req);
    let body = body.0;
    let updated = state
        .db
        .transaction(move |conn| {
            let app = standalone_app(conn, &user, id)?;
            let version = (user_id, if_match.as_deref());
            crate::mobile_users::update(conn, &user.actor(), &app, version, body)
        })
        .await?;
    Ok(respond(HttpResponse::Ok(), &updated))
}

/// Deletes a user.
#[utoipa::path(
    tag = "mobile users",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("user_id" = String, Path, description = "The user's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
   ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "`managed_by_magento`"),
        (status = 404, description = "No such app or user"),
        (status = 412, description = "`stale_version`"),
    )
)]
#[delete("/apps/{id}/mobile-users/{user_id}")]
async fn delete_mobile_user(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, user_id) = (parse_id(&path.0)?, parse_id(&path.1)?);
    let if_match = if_match_of(&req);
    state
        .db
        .transaction(move |conn| {
            let app = standalone_app(conn, &user, id)?;
            let version = (user_id, if_match.as_deref());
            crate::mobile_users::delete(conn, &user.actor(), &app, version)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
