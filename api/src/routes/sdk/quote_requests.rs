//! The SDK API's quote requests: sending one, reading it with its offers, accepting or declining.

use super::*;

/// Sends the owner a quote request for products whose price the app does not show (Standard
/// apps). It starts `new`. The answer's `access_key` is what this device shows (`X-Quote-Key`)
/// to read and answer the request later: keep it with the request.
#[utoipa::path(
    tag = "sdk",
    security(("app_key" = [])),
    request_body = CreateQuoteRequest,
    responses(
        (status = 201, description = "Sent", body = QuoteRequest),
        (status = 401, description = "`invalid_app_key`: missing, unknown or rotated key"),
        (status = 403, description = "`edition_required`: a Basic app"),
        (status = 422, description = "`validation_failed`"),
        (status = 429, description = "`rate_limited`: too many requests for this key"),
    )
)]
#[post("/sdk/quote-requests")]
pub(super) async fn send_quote_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    app: SdkApp,
    body: Valid<CreateQuoteRequest>,
) -> ApiResult<HttpResponse> {
    let now = state.clock.now();
    let owner = KeyOwner::App(app.clone());
    let secret = server_secret(&state);
    idempotency::run(&state, &req, owner, body.0, move |conn, body| {
        let app = app.row()?;
        let quote = quotes::take_request(conn, app, &body, now)?;
        let mut detail = single(quotes::to_wire(
            conn,
            std::slice::from_ref(&quote),
            quotes::View::App,
        )?)?;
        detail.access_key = Some(quotes::access_key(&secret, app.id, quote.id));
        Outcome::created(&detail, format!("/api/v1/sdk/quote-requests/{}", quote.id))
    })
    .await
}

pub(super) fn single(mut details: Vec<QuoteRequest>) -> AppResult<QuoteRequest> {
    details
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("quote request vanished")))
}

/// Reads one of the app's quote requests with the owner's offers (another app's is 404).
#[utoipa::path(
    tag = "sdk",
    security(("app_key" = [])),
    params(
        ("id" = String, Path, description = "The quote request's id"),
        ("X-Quote-Key" = String, Header, description = "The `access_key` the create answered to the device that sent the request"),
    ),
    responses(
        (status = 200, description = "The quote request", body = QuoteRequest),
        (status = 401, description = "`invalid_app_key`: missing, unknown or rotated key"),
        (status = 403, description = "`edition_required`: a Basic app"),
        (status = 404, description = "No such quote request of this app, or not this key's"),
        (status = 429, description = "`rate_limited`: too many requests for this key"),
    )
)]
#[get("/sdk/quote-requests/{id}")]
pub(super) async fn read_quote_request(
    req: HttpRequest,
    state: web::Data<AppState>,
    app: SdkApp,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let now = state.clock.now();
    let key = presented_quote_key(&req);
    let secret = server_secret(&state);
    let detail = state
        .db
        .run(move |conn| {
            let app = app.row()?;
            orders::require_standard(app)?;
            quotes::check_access_key(&secret, app.id, id, key.as_deref())?;
            let quote = quotes::find(conn, app.id, id, now)?;
            let mut detail = single(quotes::to_wire(
                conn,
                std::slice::from_ref(&quote),
                quotes::View::App,
            )?)?;
            detail.access_key = key;
            Ok(detail)
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// The quote request's access key the device sent, if any.
pub(super) fn presented_quote_key(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(quotes::QUOTE_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

pub(super) fn server_secret(state: &AppState) -> String {
    state.settings.jwt_secret.clone().unwrap_or_default()
}

pub(super) async fn answer_quote(
    req: HttpRequest,
    state: web::Data<AppState>,
    app: SdkApp,
    id: &str,
    accept: bool,
) -> ApiResult<HttpResponse> {
    let id = parse_id(id)?;
    let now = state.clock.now();
    let key = presented_quote_key(&req);
    let secret = server_secret(&state);
    let detail = state
        .db
        .transaction(move |conn| {
            orders::require_standard(app.row()?)?;
            quotes::check_access_key(&secret, app.row()?.id, id, key.as_deref())?;
            let quote = quotes::find(conn, app.row()?.id, id, now)?;
            let quote = quotes::answer(conn, (app.row()?, &quote), accept, now)?;
            let mut detail = single(quotes::to_wire(
                conn,
                std::slice::from_ref(&quote),
                quotes::View::App,
            )?)?;
            detail.access_key = key;
            Ok(detail)
        })
        .await?;
    Ok(HttpResponse::Ok().json(detail))
}

/// The mobile user accepts the offer in force; the app may then order it (`quote_id`).
#[utoipa::path(
    tag = "sdk",
    security(("app_key" = [])),
    params(
        ("id" = String, Path, description = "The quote request's id"),
        ("X-Quote-Key" = String, Header, description = "The `access_key` the create answered to the device that sent the request"),
    ),
    responses(
        (status = 200, description = "Accepted", body = QuoteRequest),
        (status = 401, description = "`invalid_app_key`: missing, unknown or rotated key"),
        (status = 403, description = "`edition_required`: a Basic app"),
        (status = 404, description = "No such quote request of this app, or not this key's"),
        (status = 409, description = "`quote_expired`: the offer ran out; `illegal_transition`: no offer yet, or already settled"),
        (status = 429, description = "`rate_limited`: too many requests for this key"),
    )
)]
#[post("/sdk/quote-requests/{id}/accept")]
pub(super) async fn accept_offer(
    req: HttpRequest,
    state: web::Data<AppState>,
    app: SdkApp,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    answer_quote(req, state, app, &path, true).await
}

/// The mobile user declines the request (with or without an offer).
#[utoipa::path(
    tag = "sdk",
    security(("app_key" = [])),
    params(
        ("id" = String, Path, description = "The quote request's id"),
        ("X-Quote-Key" = String, Header, description = "The `access_key` the create answered to the device that sent the request"),
    ),
    responses(
        (status = 200, description = "Declined", body = QuoteRequest),
        (status = 401, description = "`invalid_app_key`: missing, unknown or rotated key"),
        (status = 403, description = "`edition_required`: a Basic app"),
        (status = 404, description = "No such quote request of this app, or not this key's"),
        (status = 409, description = "`quote_expired`: the offer ran out; `illegal_transition`: already settled"),
        (status = 429, description = "`rate_limited`: too many requests for this key"),
    )
)]
#[post("/sdk/quote-requests/{id}/decline")]
pub(super) async fn decline_by_app(
    req: HttpRequest,
    state: web::Data<AppState>,
    app: SdkApp,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    answer_quote(req, state, app, &path, false).await
}
