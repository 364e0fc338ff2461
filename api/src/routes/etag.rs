//! Versions of editable records: `If-Match` read and checked, `ETag` answered.

use actix_web::http::header;
use actix_web::HttpRequest;

/// The `If-Match` value, read before the blocking database call that checks it.
pub fn if_match_of(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

pub use crate::versions::{check_if_match, Versioned};

/// An account in the body, with its version as `ETag`.
pub fn with_etag(
    response: actix_web::HttpResponseBuilder,
    account: &crate::db::accounts::AccountRow,
) -> actix_web::HttpResponse {
    versioned(response, account, &account.to_wire())
}

/// `body`, the wire form of `record`, with the record's version as `ETag`.
pub fn versioned(
    response: actix_web::HttpResponseBuilder,
    record: &impl Versioned,
    body: &impl serde::Serialize,
) -> actix_web::HttpResponse {
    json_with_etag(response, &record.etag(), body)
}

/// A wire body made with its record's ETag (`publishing::detail`, `push::detail`).
pub fn tagged((etag, body): (String, impl serde::Serialize)) -> actix_web::HttpResponse {
    json_with_etag(actix_web::HttpResponse::Ok(), &etag, &body)
}

/// Any editable record in the body, with its version as `ETag`.
pub fn json_with_etag(
    mut response: actix_web::HttpResponseBuilder,
    etag: &str,
    body: &impl serde::Serialize,
) -> actix_web::HttpResponse {
    response.insert_header((header::ETAG, etag)).json(body)
}
