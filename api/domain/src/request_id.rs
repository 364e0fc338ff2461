//! The id of the request being served, for logs and problem bodies. Imports nothing of this crate,
//! so that errors (which carry it) and the middleware (which sets it) do not depend on each other.

use http::header::HeaderName;

/// The header a request id arrives and leaves in.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    /// Set by the middleware around each request's handling.
    pub static CURRENT_REQUEST_ID: String;
}

/// The id of the request being served on this task, if any.
pub fn current() -> Option<String> {
    CURRENT_REQUEST_ID.try_with(Clone::clone).ok()
}
