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
                        message: in_our_words(e.to_string()),
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

/// chrono's words for a date-time it could not read ("premature end of input", "trailing
/// input"…, or a value of another JSON type), which name neither the field's format nor an
/// example: every date-time field says what it expects instead.
const CHRONO_PARSE_ERRORS: [&str; 7] = [
    "input is out of range",
    "no possible date and time matching input",
    "input is not enough for unique date and time",
    "input contains invalid characters",
    "premature end of input",
    "trailing input",
    "bad or unsupported format string",
];

/// A serde message as the caller should read it: the parser's own words for a date-time become
/// ours; everything else (`missing field`, `invalid type: integer, expected a string`…) stays.
pub fn in_our_words(message: String) -> String {
    if CHRONO_PARSE_ERRORS.contains(&message.as_str())
        || message.ends_with("expected an RFC 3339 formatted date and time string")
    {
        types::when::DATE_TIME_EXPECTED.to_owned()
    } else {
        message
    }
}

/// The same for a query parameter, whose name serde does not give: a date or date-time
/// parameter says how both are written.
pub fn query_in_our_words(message: String) -> String {
    if CHRONO_PARSE_ERRORS.contains(&message.as_str()) {
        "a date is written 2026-12-10 and a date-time 2026-12-10T23:59:59Z (RFC 3339)".to_owned()
    } else {
        message
    }
}

/// Query parameters, checked against their validation rules.
pub fn valid_query<T: Validate>(query: web::Query<T>) -> AppResult<T> {
    let query = query.into_inner();
    query.validate()?;
    Ok(query)
}
