//! HTTP routes: one module per resource, each with a `configure` that registers its handlers
//! through utoipa-actix-web, so everything that is served is also in the OpenAPI spec.

pub mod analytics;
pub mod app_assets;
pub mod apps;
pub mod assets;
pub mod audit;
pub mod auth;
pub mod csv;
pub mod customers;
pub mod devices;
pub mod fallback;
pub mod health;
pub mod me;
pub mod mobile_users;
pub mod orders;
pub mod outbox;
pub mod partners;
pub mod payments;
pub mod plans;
pub mod publish_queue;
pub mod publishing;
pub mod push;
pub mod quotes;
pub mod sdk;
pub mod subscriptions;
pub mod webhooks;

use actix_web::dev::{HttpServiceFactory, Payload};
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use types::FieldError;
use utoipa_actix_web::OpenApiFactory;
use validator::Validate;

use crate::error::{ApiError, AppError, AppResult};

/// Where a resource's `configure` registers its handlers: the OpenAPI builder
/// (`utoipa_actix_web`'s `ServiceConfig`, which also collects each handler's description) or a
/// server worker (actix's own `ServiceConfig`, which does not: every worker would otherwise build
/// and drop the whole spec, some megabytes of memory each, at start-up).
pub trait Register {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static;
}

impl Register for utoipa_actix_web::service_config::ServiceConfig<'_> {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        utoipa_actix_web::service_config::ServiceConfig::service(self, factory)
    }
}

impl Register for web::ServiceConfig {
    fn service<F>(&mut self, factory: F) -> &mut Self
    where
        F: HttpServiceFactory + OpenApiFactory + 'static,
    {
        web::ServiceConfig::service(self, factory)
    }
}

/// Everything under `/api/v1`.
pub fn configure(cfg: &mut impl Register) {
    auth::configure(cfg);
    me::configure(cfg);
    partners::configure(cfg);
    customers::configure(cfg);
    apps::configure(cfg);
    devices::configure(cfg);
    mobile_users::configure(cfg);
    orders::configure(cfg);
    quotes::configure(cfg);
    analytics::configure(cfg);
    push::configure(cfg);
    plans::configure(cfg);
    subscriptions::configure(cfg);
    payments::configure(cfg);
    publishing::configure(cfg);
    app_assets::configure(cfg);
    sdk::configure(cfg);
    audit::configure(cfg);
    outbox::configure(cfg);
    webhooks::configure(cfg);
    cfg.service(health::openapi_json);
}

/// A JSON object body parsed into `T` and checked against its validation rules.
///
/// Parsed in two steps so that only a JSON *object* is accepted (serde would otherwise read a
/// struct from an array too): a syntax error is a 400, anything that does not fit `T` or its
/// rules a 422 naming the field. Size and content-type limits come from the app's `JsonConfig`.
pub struct Valid<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Valid<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let object =
            web::Json::<serde_json::Map<String, serde_json::Value>>::from_request(req, payload);
        Box::pin(async move {
            let object = object.await?.into_inner();
            if let Some(field) = object
                .iter()
                .find_map(|(k, v)| has_nul(v).then(|| k.clone()))
            {
                return Err(ApiError(AppError::invalid_field(
                    &field,
                    "must not contain NUL (\\u0000) characters",
                ))
                .into());
            }
            let body: T = serde_path_to_error::deserialize(serde_json::Value::Object(object))
                .map_err(|e| {
                    let path = e.path().to_string();
                    let e = e.into_inner();
                    ApiError(AppError::validation(vec![FieldError {
                        field: field_at(&path, &e),
                        message: e.to_string(),
                    }]))
                })?;
            body.validate().map_err(ApiError::from)?;
            Ok(Self(body))
        })
    }
}

/// PostgreSQL text cannot hold NUL, so no backend accepts it: refused up front, never a 500.
fn has_nul(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::String(s) => s.contains('\0'),
        serde_json::Value::Array(items) => items.iter().any(has_nul),
        serde_json::Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

/// The field a serde error at `path` (`.` for the body itself, `events[3]`, `scope`) is about:
/// the path, or for a missing field the field within it (`missing field `email``).
fn field_at(path: &str, e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let missing = msg
        .strip_prefix("missing field `")
        .and_then(|rest| rest.split('`').next());
    match (path, missing) {
        (".", Some(field)) => field.to_owned(),
        (".", None) => "body".to_owned(),
        (path, Some(field)) => format!("{path}.{field}"),
        (path, None) => path.to_owned(),
    }
}

/// Query parameters, checked against their validation rules.
pub fn valid_query<T: Validate>(query: web::Query<T>) -> AppResult<T> {
    let query = query.into_inner();
    query.validate()?;
    Ok(query)
}

/// The `If-Match` value, read before the blocking database call that checks it.
pub fn if_match_of(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `If-Match` (taken from the request by `if_match_of`) must name the current ETag when given
/// (`*` matches anything); otherwise 412.
pub fn check_etag(if_match: Option<&str>, current_etag: &str) -> AppResult<()> {
    let Some(value) = if_match else { return Ok(()) };
    let matches = value
        .split(',')
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == current_etag);
    if matches {
        Ok(())
    } else {
        Err(AppError::precondition_failed())
    }
}

/// An account in the body, with its version as `ETag`.
pub fn with_etag(
    response: actix_web::HttpResponseBuilder,
    account: &crate::db::accounts::AccountRow,
) -> actix_web::HttpResponse {
    json_with_etag(response, &account.etag(), &account.to_wire())
}

/// Any editable record in the body, with its version as `ETag`.
pub fn json_with_etag(
    mut response: actix_web::HttpResponseBuilder,
    etag: &str,
    body: &impl serde::Serialize,
) -> actix_web::HttpResponse {
    response.insert_header((header::ETAG, etag)).json(body)
}
