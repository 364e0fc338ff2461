//! Versions of editable records: a change names the version it was made against (HTTP's
//! `If-Match`, read by the api) and is refused with 412 `stale_version` when the record moved on.

use crate::error::{AppError, AppResult};

/// `if_match` must name the current ETag when given (`*` matches anything); otherwise 412.
fn check_etag(if_match: Option<&str>, current_etag: &str) -> AppResult<()> {
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

pub use crate::db::Versioned;

/// `if_match` must name `record`'s current ETag when given; otherwise 412 `stale_version`.
pub fn check_if_match(if_match: Option<&str>, record: &impl Versioned) -> AppResult<()> {
    check_etag(if_match, &record.etag())
}
