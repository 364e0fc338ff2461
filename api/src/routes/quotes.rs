//! "Manage Quote requests" of Standard apps: `/apps/{id}/quote-requests…`, the owner's inbox and
//! answers. A Basic app answers 403 `edition_required` on every route.

use crate::routes::Register;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use types::quotes::{CreateQuoteResponse, QuoteCounts, QuoteFilter, QuoteRequest};
use types::{Page, PageQuery};

use crate::auth::AuthUser;
use crate::db::audit::Actor;
use crate::db::page::Paging;
use crate::db::quotes::{self as rows, QuoteRow};
use crate::db::{parse_id, DbConn};
use crate::error::{ApiResult, AppError, AppResult};
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::quotes;
use crate::routes::orders::standard_app;
use crate::routes::{valid_query, Valid};
use crate::routes::{versioned, Versioned};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_quotes)
        .service(count_quotes)
        .service(get_quote)
        .service(respond_to_quote)
        .service(decline_quote);
}

/// One request as its owner sees it (`View::Detail`).
fn detail(conn: &mut DbConn, quote: &QuoteRow) -> AppResult<QuoteRequest> {
    quotes::to_wire(conn, std::slice::from_ref(quote), quotes::View::Detail)?
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("quote request vanished")))
}

/// The inbox: the app's quote requests, newest first, each with its lines and the offer in
/// force; filters by status, text and date. Page by `cursor` for any depth.
#[utoipa::path(
    tag = "quote requests",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id"), PageQuery, QuoteFilter),
    responses(
        (status = 200, description = "One page of quote requests", body = Page<QuoteRequest>),
        (status = 403, description = "`edition_required`: a Basic app"),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}/quote-requests")]
async fn list_quotes(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    page: web::Query<PageQuery>,
    filter: web::Query<QuoteFilter>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let filter = valid_query(filter)?;
    let paging = Paging::<(NaiveDateTime, i64)>::new(&valid_query(page)?)?;
    let now = state.clock.now();
    let page = state
        .db
        .run(move |conn| {
            let app = standard_app(conn, &user, id)?;
            rows::expire(conn, Some(app.id), now)?;
            let (rows, total) = QuoteRow::list(conn, app.id, &filter, &paging)?;
            let details = quotes::to_wire(conn, &rows, quotes::View::List)?;
            let items: Vec<_> = rows.iter().map(QuoteRow::key).zip(details).collect();
            Ok(paging.answer(items, total, |(key, _)| *key, |(_, d)| d.clone()))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// How many of the app's quote requests are in each status (the inbox's tabs).
#[utoipa::path(
    tag = "quote requests",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id")),
    responses(
        (status = 200, description = "Counts per status", body = QuoteCounts),
        (status = 403, description = "`edition_required`: a Basic app"),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}/quote-requests/counts")]
async fn count_quotes(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let now = state.clock.now();
    let counts = state
        .db
        .run(move |conn| {
            let app = standard_app(conn, &user, id)?;
            rows::expire(conn, Some(app.id), now)?;
            Ok(QuoteRow::counts(conn, app.id)?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(counts))
}

/// One quote request with every response (oldest first) and, once ordered, its order.
#[utoipa::path(
    tag = "quote requests",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("quote_id" = String, Path, description = "The quote request's id"),
    ),
    responses(
        (status = 200, description = "The quote request", body = QuoteRequest,
            headers(("ETag" = String, description = "Version"))),
        (status = 403, description = "`edition_required`: a Basic app"),
        (status = 404, description = "No such quote request in an app of yours"),
    )
)]
#[get("/apps/{id}/quote-requests/{quote_id}")]
async fn get_quote(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, quote_id) = (parse_id(&path.0)?, parse_id(&path.1)?);
    let now = state.clock.now();
    let (quote, detail) = state
        .db
        .run(move |conn| {
            let app = standard_app(conn, &user, id)?;
            let quote = quotes::find(conn, app.id, quote_id, now)?;
            let detail = detail(conn, &quote)?;
            Ok((quote, detail))
        })
        .await?;
    Ok(versioned(HttpResponse::Ok(), &quote, &detail))
}

/// Answers a request with an offer: a `unit_price` for every requested sku, or a `total` for
/// the whole request, and `valid_until`. Allowed while the request is `new` or `quoted` (a new
/// response replaces the offer in force; all stay in the history). The request becomes
/// `quoted`; audited.
#[utoipa::path(
    tag = "quote requests",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("quote_id" = String, Path, description = "The quote request's id"),
    ),
    request_body = CreateQuoteResponse,
    responses(
        (status = 201, description = "Answered", body = QuoteRequest,
            headers(("ETag" = String, description = "Version"))),
        (status = 403, description = "`edition_required`: a Basic app"),
        (status = 404, description = "No such quote request in an app of yours"),
        (status = 409, description = "`quote_expired`, or `illegal_transition`: the request is accepted or declined"),
        (status = 422, description = "`validation_failed`: e.g. a requested sku without a price, or `valid_until` in the past"),
    )
)]
#[post("/apps/{id}/quote-requests/{quote_id}/responses")]
async fn respond_to_quote(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Valid<CreateQuoteResponse>,
) -> ApiResult<HttpResponse> {
    let ids = (parse_id(&path.0)?, parse_id(&path.1)?);
    let now = state.clock.now();
    let owner = KeyOwner::Account(user.id());
    idempotency::run(&state, &req, owner, body.0, move |conn, body| {
        let (quote, detail) = change_quote(
            conn,
            &user,
            ids,
            "quote_request.respond",
            |conn, quote, actor| quotes::respond(conn, quote, &body, actor, now),
            now,
        )?;
        let location = format!("/api/v1/apps/{}/quote-requests/{}", ids.0, ids.1);
        Ok(Outcome::created(&detail, location)?.etag(&quote.etag()))
    })
    .await
}

/// Runs the owner's `change` on the quote request of `path` in one transaction, records it in
/// the audit log as `action`, and gives the request as it is after.
async fn act(
    state: web::Data<AppState>,
    user: AuthUser,
    path: &(String, String),
    action: &'static str,
    change: impl FnOnce(&mut DbConn, &QuoteRow, &Actor, NaiveDateTime) -> AppResult<QuoteRow>
        + Send
        + 'static,
) -> ApiResult<(QuoteRow, QuoteRequest)> {
    let ids = (parse_id(&path.0)?, parse_id(&path.1)?);
    let now = state.clock.now();
    Ok(state
        .db
        .transaction(move |conn| {
            change_quote(
                conn,
                &user,
                ids,
                action,
                |c, q, a| change(c, q, a, now),
                now,
            )
        })
        .await?)
}

/// `change` on the quote request `ids` (app, request) of a Standard app of the user's, recorded
/// in the audit log as `action` and announced to webhooks; the request as it is after.
fn change_quote(
    conn: &mut DbConn,
    user: &AuthUser,
    (id, quote_id): (i64, i64),
    action: &'static str,
    change: impl FnOnce(&mut DbConn, &QuoteRow, &Actor) -> AppResult<QuoteRow>,
    now: NaiveDateTime,
) -> AppResult<(QuoteRow, QuoteRequest)> {
    let app = standard_app(conn, user, id)?;
    let who = (&user.actor(), action);
    let quote = quotes::change_by_owner(conn, who, (&app, quote_id), change, now)?;
    let detail = detail(conn, &quote)?;
    Ok((quote, detail))
}

/// Declines a request that is `new` or `quoted` (the offer is withdrawn); audited.
#[utoipa::path(
    tag = "quote requests",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("quote_id" = String, Path, description = "The quote request's id"),
    ),
    responses(
        (status = 200, description = "Declined", body = QuoteRequest,
            headers(("ETag" = String, description = "Version"))),
        (status = 403, description = "`edition_required`: a Basic app"),
        (status = 404, description = "No such quote request in an app of yours"),
        (status = 409, description = "`quote_expired`, or `illegal_transition`: already accepted or declined"),
    )
)]
#[post("/apps/{id}/quote-requests/{quote_id}/decline")]
async fn decline_quote(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let response = act(
        state,
        user,
        &path,
        "quote_request.decline",
        |conn, quote, _, now| quotes::decline_by_owner(conn, quote, now),
    );
    response
        .await
        .map(|(quote, detail)| versioned(HttpResponse::Ok(), &quote, &detail))
}
