//! The one middleware every request passes: request id, tracing span, access log, metrics, and
//! the guarantee that no error leaves as anything but problem+json.

use std::time::Instant;
use types::ErrorCode;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use tracing::Instrument;

use actix_web::ResponseError;

use crate::db::gate;
use crate::error::{ApiError, AppError, PROBLEM_JSON};
use crate::request_id::{CURRENT_REQUEST_ID, REQUEST_ID};
use crate::routes::fallback::RouteTable;
use crate::state::AppState;

fn request_id_of(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        })
        .map_or_else(|| crate::auth::secrets::random_token(12), str::to_owned)
}

pub async fn observe(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let started = Instant::now();
    let request_id = request_id_of(&req);
    let method = req.method().to_string();
    // HEAD answers wherever GET does: routed as the GET it asks about. The connection knows it
    // was a HEAD (actix-http notes it as it reads the request) and sends the headers only.
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let span =
        tracing::info_span!("request", %method, path = %req.path(), request_id = %request_id);
    let state = req.app_data::<actix_web::web::Data<AppState>>().cloned();
    let mut hops = 0;

    let res = if let Some(err) = query_problem(&req) {
        let (http_req, _) = req.into_parts();
        let response =
            CURRENT_REQUEST_ID.sync_scope(request_id.clone(), || ApiError(err).error_response());
        ServiceResponse::new(http_req, response).map_into_boxed_body()
    } else {
        let db = state.as_ref().map(|s| s.db.clone());
        // A gate still closed after the handler is checked here, in one hop of its own (see
        // `gate::guard`).
        let finish = || async move {
            match db {
                Some(db) => db.run(|_| Ok(())).await,
                None => Ok(()),
            }
        };
        let is_error = |res: &Result<ServiceResponse<_>, actix_web::Error>| {
            res.as_ref().map_or(true, |r| r.status().as_u16() >= 400)
        };
        let handling = gate::guard(next.call(req), is_error, finish).instrument(span.clone());
        let (res, passage) = CURRENT_REQUEST_ID.scope(request_id.clone(), handling).await;
        hops = passage.hops;
        let res = res?.map_into_boxed_body();
        match passage.refused {
            Some(err) => {
                let response = CURRENT_REQUEST_ID
                    .sync_scope(request_id.clone(), || ApiError(err).error_response());
                res.into_response(response)
            }
            None => res,
        }
    };

    let status = res.status();
    let mut res = if status.as_u16() >= 400 && !is_problem(&res) {
        CURRENT_REQUEST_ID.sync_scope(request_id.clone(), || into_problem(res))
    } else {
        res.map_into_boxed_body()
    };
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    let https = state
        .as_ref()
        .is_some_and(|s| s.settings.public_url().starts_with("https://"));
    protect(&mut res, https);

    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let elapsed = started.elapsed();
    if let Some(state) = state {
        state.metrics.observe(
            &method,
            &route,
            status.as_u16(),
            elapsed.as_secs_f64(),
            hops,
        );
    }
    span.in_scope(|| {
        tracing::info!(
            status = status.as_u16(),
            route,
            ms = elapsed.as_secs_f64() * 1000.0,
            "served"
        );
    });
    Ok(res)
}

/// Query strings every operation refuses: NUL characters (PostgreSQL text cannot hold them, and
/// both backends must behave alike), and parameters the operation does not document.
fn query_problem(req: &ServiceRequest) -> Option<AppError> {
    let query = req.query_string();
    if query.is_empty() {
        return None;
    }
    if query.to_ascii_lowercase().contains("%00") {
        return Some(AppError::new(
            ErrorCode::InvalidQuery,
            "Query parameters must not contain NUL (%00) characters.",
        ));
    }
    let table = req.app_data::<actix_web::web::Data<RouteTable>>()?;
    table
        .unknown_query_parameter(req.method(), req.path(), query)
        .map(|name| {
            AppError::new(
                ErrorCode::InvalidQuery,
                format!("Unknown query parameter `{name}`."),
            )
        })
}

/// What an HTML page may load and who may frame it: its own scripts, styles, images (with the
/// `data:` images of the API explorer's stylesheet and the `blob:` previews of files a person is
/// about to upload) and WebAssembly, nothing inline, no plugins, no `<base>`, no framing by
/// anyone (click-jacking).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
     script-src 'self' 'wasm-unsafe-eval'; img-src 'self' data: blob:; \
     frame-ancestors 'none'; object-src 'none'; base-uri 'none'; form-action 'self'";

/// The API explorer's (Swagger UI, under `/docs`): the same, but Swagger UI adds `<style>`
/// elements of its own as it runs, so inline styles (never scripts) are allowed there.
pub const DOCS_CONTENT_SECURITY_POLICY: &str = "default-src 'self'; \
     script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; frame-ancestors 'none'; object-src 'none'; base-uri 'none'; \
     form-action 'self'";

/// The browser features a page of the back office never uses.
const PERMISSIONS_POLICY: &str = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";

/// Headers every answer carries: no MIME sniffing (an upload is served as what it was checked
/// to be, never run as HTML), no full address sent to other sites, HSTS when the installation
/// is served over https, and nothing of the API kept by a cache — its answers hold tokens,
/// secrets and tenants' data — unless the handler said otherwise. HTML answers (the SPA, the API
/// explorer) also carry the Content-Security-Policy, the Permissions-Policy and frame denial.
fn protect(res: &mut ServiceResponse<BoxBody>, https: bool) {
    let api = res.request().path().starts_with("/api/");
    let docs = res.request().path().starts_with("/docs");
    let headers = res.headers_mut();
    let html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    if html {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(if docs {
                DOCS_CONTENT_SECURITY_POLICY
            } else {
                CONTENT_SECURITY_POLICY
            }),
        );
        headers.insert(
            header::HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static(PERMISSIONS_POLICY),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if api && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

fn is_problem<B>(res: &ServiceResponse<B>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with(PROBLEM_JSON))
}

/// Reshapes an error that did not come from `AppError` (actix's own, a static file's) into
/// problem+json with the same status.
fn into_problem<B: MessageBody + 'static>(res: ServiceResponse<B>) -> ServiceResponse<BoxBody> {
    let status = res.status();
    let (code, detail) = match status.as_u16() {
        404 => (ErrorCode::NotFound, "No such resource."),
        405 => (
            ErrorCode::MethodNotAllowed,
            "This resource does not support this method.",
        ),
        413 => (ErrorCode::PayloadTooLarge, "The request body is too large."),
        415 => (
            ErrorCode::UnsupportedMediaType,
            "Send the body as application/json.",
        ),
        s if s >= 500 => (
            ErrorCode::InternalError,
            "Something went wrong on our side; it has been logged.",
        ),
        _ => (
            ErrorCode::BadRequest,
            "The request could not be understood.",
        ),
    };
    let body = crate::error::problem(status, code, detail, Vec::new());
    let json = serde_json::to_string(&body).unwrap_or_default();
    res.map_body(|head, _| {
        head.headers
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        head.headers.remove(header::CONTENT_LENGTH);
        BoxBody::new(json)
    })
}
