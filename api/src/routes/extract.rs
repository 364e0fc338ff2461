//! What handlers take from a request besides the caller: a checked JSON body, checked query
//! parameters.

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use types::FieldError;
use validator::Validate;

use crate::error::{ApiError, AppError, AppResult};

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
