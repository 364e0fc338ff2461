//! Apps: `/apps...`. Customers manage their own; partners their own and their customers';
//! admins all. Every app-scoped route goes through `policy::Scope::find_app`.

use crate::routes::Register;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use types::apps::{App, AppFilter, AppSort, CreateApp, UpdateApp};
use types::{Page, PageQuery};

use crate::auth::AuthUser;
use crate::db::apps::{AppQuery, AppRow, AppWithOwner};
use crate::db::page::Paging;
use crate::db::parse_id;
use crate::error::ApiResult;
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::routes::{if_match_of, valid_query, Valid};
use crate::routes::{versioned, Versioned};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_apps)
        .service(create_app)
        .service(get_app)
        .service(update_app)
        .service(delete_app)
        .service(rotate_app_key);
}

fn respond(
    response: actix_web::HttpResponseBuilder,
    (app, owner_email): &AppWithOwner,
) -> HttpResponse {
    versioned(response, app, &app.to_wire(owner_email))
}

/// Lists the apps you may manage.
#[utoipa::path(
    tag = "apps",
    security(("bearer" = [])),
    params(PageQuery, AppFilter),
    responses((status = 200, description = "One page of apps", body = Page<App>))
)]
#[get("/apps")]
async fn list_apps(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageQuery>,
    filter: web::Query<AppFilter>,
) -> ApiResult<HttpResponse> {
    let mut paging = Paging::new(&valid_query(page)?)?;
    let filter = valid_query(filter)?;
    let query = AppQuery {
        q: filter.q,
        kind: filter.kind,
        edition: filter.edition,
        owner_id: filter.owner_id.as_deref().map(parse_id).transpose()?,
        only: user.app_limit.as_deref().map(<[i64]>::to_vec),
        sort: paging.order(filter.sort, AppSort::CreatedDesc),
    };
    let (rows, total) = state
        .db
        .run(move |conn| {
            Ok(AppRow::list(
                conn,
                user.scope().accounts_rule(),
                &query,
                &paging,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(paging.answer(
        rows,
        total,
        |(app, _)| (app.created_at, app.id),
        |(app, email)| app.to_wire(email),
    )))
}

/// Creates an app with a fresh `app_key`. `magento` apps need their `store_url`. A new app is
/// `basic`: it becomes `standard` by subscribing to a Standard plan (`edition: standard` is 409
/// `edition_follows_plan`), unless an administrator grants it (audited as `app.edition_grant`).
#[utoipa::path(
    tag = "apps",
    security(("bearer" = [])),
    request_body = CreateApp,
    responses(
        (status = 201, description = "Created", body = App,
            headers(("ETag" = String, description = "Version, for `If-Match`"), ("Location" = String, description = "The app's URL"))),
        (status = 404, description = "`owner_not_found`: `owner_id` names no customer of yours"),
        (status = 409, description = "`edition_follows_plan`: only a Standard subscription (or an administrator) makes an app Standard"),
    )
)]
#[post("/apps")]
async fn create_app(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    body: Valid<CreateApp>,
) -> ApiResult<HttpResponse> {
    crate::apps::check_new(&body.0)?;
    let requested = body.0.owner_id.as_deref().map(parse_id).transpose()?;
    let owner = KeyOwner::Account(user.id());
    let now = state.clock.now();
    idempotency::run(&state, &req, owner, body.0, move |conn, body| {
        let created = crate::apps::create(conn, user.scope(), &user.actor(), requested, body, now)?;
        let (app, owner_email) = &created;
        Ok(Outcome::created(
            &app.to_wire(owner_email),
            format!("/api/v1/apps/{}", app.id),
        )?
        .etag(&app.etag()))
    })
    .await
}

/// One app.
#[utoipa::path(
    tag = "apps",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id")),
    responses(
        (status = 200, description = "The app", body = App,
            headers(("ETag" = String, description = "Version, for `If-Match`"))),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}")]
async fn get_app(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let found = state
        .db
        .run(move |conn| Ok(user.scope().find_app(conn, id)?))
        .await?;
    Ok(respond(HttpResponse::Ok(), &found))
}

/// Edits an app (not its kind or owner). Send `If-Match` to get 412 instead of overwriting
/// someone else's change. The edition follows the app's subscription: `standard` needs a live
/// Standard subscription (or an administrator's grant, audited as `app.edition_grant`), and
/// while a subscription runs its plan decides; otherwise 409 `edition_follows_plan`.
#[utoipa::path(
    tag = "apps",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    request_body = UpdateApp,
    responses(
        (status = 200, description = "The updated app", body = App,
            headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such app of yours"),
        (status = 409, description = "`edition_follows_plan`"),
        (status = 412, description = "`stale_version`"),
    )
)]
#[patch("/apps/{id}")]
async fn update_app(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
    body: Valid<UpdateApp>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let body = body.0;
    let if_match = if_match_of(&req);
    let updated = state
        .db
        .transaction(move |conn| {
            let version = (id, if_match.as_deref());
            crate::apps::update(conn, user.scope(), &user.actor(), version, body)
        })
        .await?;
    Ok(respond(HttpResponse::Ok(), &updated))
}

/// Deletes an app with everything it holds: devices, analytics events and mobile users. An app
/// with a paid subscription running is 409 `has_active_subscription`; an unpaid one (trial,
/// awaiting payment) ends with it. Its invoices and payments are kept.
#[utoipa::path(
    tag = "apps",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such app of yours"),
        (status = 409, description = "`has_active_subscription`"),
        (status = 412, description = "`stale_version`"),
    )
)]
#[delete("/apps/{id}")]
async fn delete_app(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let if_match = if_match_of(&req);
    let now = state.clock.now();
    let billing = state.billing.clone();
    state
        .db
        .transaction(move |conn| {
            let version = (id, if_match.as_deref());
            crate::apps::delete(conn, user.scope(), &user.actor(), version, &billing, now)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replaces the app's public key: the old one stops working at once (ship an app update with the
/// new key first).
#[utoipa::path(
    tag = "apps",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id")),
    responses(
        (status = 200, description = "The app with its new key", body = App,
            headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such app of yours"),
    )
)]
#[post("/apps/{id}/rotate-key")]
async fn rotate_app_key(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let updated = state
        .db
        .transaction(move |conn| crate::apps::rotate_key(conn, user.scope(), &user.actor(), id))
        .await?;
    Ok(respond(HttpResponse::Ok(), &updated))
}
