//! Apps: `/apps...`. Customers manage their own; partners their own and their customers';
//! admins all. Every app-scoped route goes through `policy::Scope::find_app`.

use crate::routes::Register;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use types::apps::{App, AppEdition, AppFilter, AppKind, AppSort, CreateApp, UpdateApp};
use types::{Page, PageQuery};

use crate::auth::{secrets, AuthUser};
use crate::db::apps::{AppChanges, AppQuery, AppRow, AppWithOwner, NewApp};
use crate::db::page::Paging;
use crate::db::{parse_id, DbConn};
use crate::error::{ApiError, ApiResult, AppError, AppResult};
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::routes::{check_etag, if_match_of, json_with_etag, valid_query, Valid};
use crate::state::AppState;
use types::webhooks::WebhookEventType as Event;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_apps)
        .service(create_app)
        .service(get_app)
        .service(update_app)
        .service(delete_app)
        .service(rotate_app_key);
}

/// A fresh public app key.
fn new_app_key() -> String {
    format!("ak_{}", secrets::random_token(18))
}

fn respond(
    response: actix_web::HttpResponseBuilder,
    (app, owner_email): &AppWithOwner,
) -> HttpResponse {
    json_with_etag(response, &app.etag(), &app.to_wire(owner_email))
}

/// Tells the webhooks of the app's owner (and its partner) about it.
fn emit_app(conn: &mut DbConn, event: Event, (app, owner_email): &AppWithOwner) -> AppResult<()> {
    crate::webhooks::emit(conn, app.owner_id, event, &app.to_wire(owner_email))
}

fn store_url_required() -> AppError {
    AppError::invalid_field("store_url", "is required for magento apps")
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
    if body.0.kind == AppKind::Magento && body.0.store_url.is_none() {
        return Err(ApiError(store_url_required()));
    }
    let requested = body.0.owner_id.as_deref().map(parse_id).transpose()?;
    let owner = KeyOwner::Account(user.id());
    idempotency::run(&state, &req, owner, body.0, move |conn, body| {
        let owner_id = crate::policy::owner_for_new_app(user.scope(), conn, requested)?;
        crate::billing::ensure_may_set_edition(user.role(), AppEdition::Basic, body.edition)?;
        let now = crate::clock::now();
        let created = AppRow::insert(
            conn,
            &NewApp {
                owner_id,
                name: body.name.trim().to_owned(),
                kind: body.kind.as_str().to_owned(),
                edition: body.edition.as_str().to_owned(),
                store_url: body.store_url,
                icon_url: body.icon_url,
                ios_bundle_id: body.ios_bundle_id,
                android_package_name: body.android_package_name,
                app_key: new_app_key(),
                created_at: now,
                updated_at: now,
            },
        )?;
        user.actor()
            .record(conn, "app.create", "app", Some(created.0.id.to_string()))?;
        if body.edition == AppEdition::Standard {
            user.actor().record(
                conn,
                "app.edition_grant",
                "app",
                Some(created.0.id.to_string()),
            )?;
        }
        emit_app(conn, Event::AppCreated, &created)?;
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
            let (current, _) = user.scope().find_app(conn, id)?;
            check_etag(if_match.as_deref(), &current.etag())?;
            if current.kind() == AppKind::Magento && body.store_url == Some(None) {
                return Err(store_url_required());
            }
            let new_edition = body.edition.filter(|e| *e != current.edition());
            if let Some(edition) = new_edition {
                crate::billing::ensure_may_set_edition(user.role(), current.edition(), edition)?;
                crate::billing::ensure_edition_is_free(conn, id)?;
            }
            let changes = AppChanges {
                name: body.name.map(|n| n.trim().to_owned()),
                edition: body.edition.map(|e| e.as_str().to_owned()),
                store_url: body.store_url,
                icon_url: body.icon_url,
                ios_bundle_id: body.ios_bundle_id,
                android_package_name: body.android_package_name,
                app_key: None,
            };
            let updated = AppRow::update(conn, id, &changes)?;
            user.actor()
                .record(conn, "app.update", "app", Some(id.to_string()))?;
            if new_edition == Some(AppEdition::Standard) {
                user.actor()
                    .record(conn, "app.edition_grant", "app", Some(id.to_string()))?;
            }
            emit_app(conn, Event::AppUpdated, &updated)?;
            Ok(updated)
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
            let current = user.scope().find_app(conn, id)?;
            check_etag(if_match.as_deref(), &current.0.etag())?;
            crate::billing::before_deleting(conn, &billing, Some(id), None, now)?;
            // Recorded first, while the app's name can still be read.
            user.actor()
                .record(conn, "app.delete", "app", Some(id.to_string()))?;
            emit_app(conn, Event::AppDeleted, &current)?;
            Ok(AppRow::delete(conn, id)?)
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
        .transaction(move |conn| {
            user.scope().find_app(conn, id)?;
            let changes = AppChanges {
                app_key: Some(new_app_key()),
                ..AppChanges::default()
            };
            let updated = AppRow::update(conn, id, &changes)?;
            user.actor()
                .record(conn, "app.rotate_key", "app", Some(id.to_string()))?;
            emit_app(conn, Event::AppUpdated, &updated)?;
            Ok(updated)
        })
        .await?;
    Ok(respond(HttpResponse::Ok(), &updated))
}
