//! The request's gate: what the caller's credentials still have to prove against the database
//! (the account exists, is active and has the role its token names), checked on the request's own
//! connection just before its first query. Authentication then costs no trip to the database of
//! its own: a request is one hop to the blocking pool and one pool check-out.
//!
//! The authentication extractor [`close`]s the gate with its check; [`Db::run`](super::Db::run)
//! runs the check on the connection it checked out, before the handler's queries, and opens the
//! gate when it passes. [`guard`] (in the middleware around every request) runs the check itself
//! for a handler that never queried, and answers the check's refusal even if a handler swallowed
//! the error: no response leaves a closed or refused gate. It also counts the request's hops, which
//! the metrics report per route (`http_request_db_hops`).

use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;

use http::StatusCode;

use super::DbConn;
use crate::error::{AppError, AppResult, ErrorCode};

/// What a closed gate checks: `Err` refuses the request (a 401 or 403 is remembered as the
/// answer; any other error, a database outage say, leaves the gate closed for the next try).
pub type Check = Arc<dyn Fn(&mut DbConn) -> AppResult<()> + Send + Sync>;

enum Gate {
    Open,
    Closed(Check),
    Refused { code: ErrorCode, detail: String },
}

/// What one request's task knows of its trips to the database.
struct Request {
    gate: Gate,
    hops: u32,
}

tokio::task_local! {
    static REQUEST: RefCell<Request>;
}

/// How a request went through its gate, for the middleware.
pub struct Passage {
    /// The error to answer instead of the handler's response: the gate refused the request, or
    /// its check could not run.
    pub refused: Option<AppError>,
    /// Trips to the database's blocking pool the request made.
    pub hops: u32,
}

/// Serves one request (`handling`) behind its own gate, open until an extractor closes it.
/// `finish` runs the check of a gate still closed when the handler is done: it made no query, or
/// it answered a success although its queries could not check (an error answer, the 503 of a
/// database that is down say, is left as it is rather than waiting for the pool once more).
pub async fn guard<T, F, C, FC>(
    handling: F,
    is_error: impl FnOnce(&T) -> bool,
    finish: C,
) -> (T, Passage)
where
    F: Future<Output = T>,
    C: FnOnce() -> FC,
    FC: Future<Output = AppResult<()>>,
{
    let request = RefCell::new(Request {
        gate: Gate::Open,
        hops: 0,
    });
    REQUEST
        .scope(request, async move {
            let out = handling.await;
            let mut refused = None;
            let hopped = REQUEST.with(|r| r.borrow().hops) > 0;
            if pending() && !(hopped && is_error(&out)) {
                refused = finish().await.err();
            }
            let refused = refused.or_else(refusal);
            let hops = REQUEST.with(|r| r.borrow().hops);
            (out, Passage { refused, hops })
        })
        .await
}

fn set(gate: Gate) {
    let _ = REQUEST.try_with(|r| r.borrow_mut().gate = gate);
}

/// Closes the request's gate with `check` (outside a request, or in a background task the
/// request spawned, there is no gate and nothing to check).
pub fn close(check: Check) {
    set(Gate::Closed(check));
}

/// Counts a trip to the database; returns the check it must pass first, if the gate is closed.
pub(super) fn hop() -> Option<Check> {
    REQUEST
        .try_with(|r| {
            let mut r = r.borrow_mut();
            r.hops += 1;
            match &r.gate {
                Gate::Closed(check) => Some(check.clone()),
                Gate::Open | Gate::Refused { .. } => None,
            }
        })
        .ok()
        .flatten()
}

fn pending() -> bool {
    REQUEST
        .try_with(|r| matches!(r.borrow().gate, Gate::Closed(_)))
        .unwrap_or(false)
}

/// The refusal this request already got, answered again to any later query.
pub(super) fn refusal() -> Option<AppError> {
    REQUEST
        .try_with(|r| match &r.borrow().gate {
            Gate::Refused { code, detail } => Some(AppError::new(*code, detail.clone())),
            Gate::Open | Gate::Closed(_) => None,
        })
        .ok()
        .flatten()
}

/// The check passed: the gate opens for the rest of the request.
pub(super) fn passed() {
    set(Gate::Open);
}

/// The check failed with `err`: a 401 or 403 is the request's answer from now on; another error
/// (the database went away) leaves the gate closed for a later try. Returns `err`.
pub(super) fn refused(err: AppError) -> AppError {
    if matches!(
        err.status(),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
    ) {
        set(Gate::Refused {
            code: err.code(),
            detail: err.detail().to_owned(),
        });
    }
    err
}
