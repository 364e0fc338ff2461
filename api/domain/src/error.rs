//! One error type for every rule and handler; the api renders it once as RFC 9457
//! problem+json (`api::error`).

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use http::{Method, StatusCode};
pub use types::ErrorCode;
use types::{FieldError, Problem};

pub type AppResult<T> = Result<T, AppError>;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error answered to the client. Build it with the constructors below.
#[derive(Debug)]
pub struct AppError {
    code: ErrorCode,
    detail: String,
    errors: Vec<FieldError>,
    retry_after: Option<u64>,
    allow: Vec<Method>,
    source: Option<anyhow::Error>,
}

impl AppError {
    /// The stable `code` clients see.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The code's status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The human explanation clients see.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// Seconds the client should wait before retrying (`Retry-After`), if it should.
    pub fn retry_after(&self) -> Option<u64> {
        self.retry_after
    }

    /// The methods the resource supports, for a 405's `Allow`.
    pub fn allow(&self) -> &[Method] {
        &self.allow
    }

    /// An error with `code` (which sets the status) and the words a person reads.
    pub fn new(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self {
            code,
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
            allow: Vec::new(),
            source: None,
        }
    }

    /// The same error, naming the request field it is about in `errors`.
    pub fn on_field(mut self, field: &str) -> Self {
        self.errors.push(FieldError {
            field: field.to_owned(),
            message: self.detail.clone(),
        });
        self
    }

    /// 404: unknown, or another tenant's (never say which).
    pub fn not_found() -> Self {
        Self::new(ErrorCode::NotFound, "No such resource.")
    }

    pub fn method_not_allowed(allow: Vec<Method>) -> Self {
        let mut err = Self::new(
            ErrorCode::MethodNotAllowed,
            "This resource does not support this method.",
        );
        err.allow = allow;
        err
    }

    pub fn precondition_failed() -> Self {
        Self::new(
            ErrorCode::StaleVersion,
            "The resource changed since you read it (If-Match does not match its ETag); \
             fetch it again and retry.",
        )
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let n = errors.len();
        let mut err = Self::new(
            ErrorCode::ValidationFailed,
            format!(
                "The request has {n} invalid field{}.",
                if n == 1 { "" } else { "s" }
            ),
        );
        err.errors = errors;
        err
    }

    /// 422 for a single field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn rate_limited(retry_after_secs: u64) -> Self {
        let mut err = Self::new(
            ErrorCode::RateLimited,
            format!("Too many requests; retry in {retry_after_secs} s."),
        );
        err.retry_after = Some(retry_after_secs.max(1));
        err
    }

    pub fn database_unavailable(source: impl Into<anyhow::Error>) -> Self {
        let mut err = Self::new(
            ErrorCode::DatabaseUnavailable,
            "The database is unavailable; retry shortly.",
        );
        err.source = Some(source.into());
        err.retry_after = Some(5);
        err
    }

    /// The database's disk is full: the write was rolled back whole; retry once space is made.
    pub fn storage_full(source: impl Into<anyhow::Error>) -> Self {
        let mut err = Self::new(
            ErrorCode::StorageFull,
            "The database's disk is full: nothing was saved. Retry later.",
        );
        err.source = Some(source.into());
        err.retry_after = Some(60);
        err
    }

    pub fn internal(source: impl Into<anyhow::Error>) -> Self {
        let mut err = Self::new(
            ErrorCode::InternalError,
            "Something went wrong on our side; it has been logged.",
        );
        err.source = Some(source.into());
        err
    }

    pub fn problem(&self) -> Problem {
        problem(self.status(), self.code, &self.detail, self.errors.clone())
    }
}

/// The problem body, shared with the middleware that reshapes actix's own errors (which keeps
/// their status: a 408 is answered as a 408 with the code `bad_request`).
pub fn problem(
    status: StatusCode,
    code: ErrorCode,
    detail: &str,
    errors: Vec<FieldError>,
) -> Problem {
    Problem {
        problem_type: code.problem_type(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail: detail.to_owned(),
        code: code.as_str().to_owned(),
        errors,
        request_id: crate::request_id::current(),
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.code.status(), self.code, self.detail)?;
        if let Some(source) = &self.source {
            write!(f, " ({source:#})")?;
        }
        Ok(())
    }
}

impl From<validator::ValidationErrors> for AppError {
    fn from(errors: validator::ValidationErrors) -> Self {
        Self::validation(types::problem::field_errors(&errors))
    }
}

impl From<DieselError> for AppError {
    fn from(err: DieselError) -> Self {
        match &err {
            DieselError::NotFound => Self::not_found(),
            _ if store::connection_lost(&err) => Self::database_unavailable(err),
            // SQLite's write lock still taken when the busy timeout ran out.
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
                if info.message().contains("database is locked") =>
            {
                Self::database_unavailable(err)
            }
            // SQLite's SQLITE_FULL, PostgreSQL's disk_full (53100): nothing was written.
            DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
                if disk_full(info.message()) =>
            {
                Self::storage_full(err)
            }
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                unique_violation(info.constraint_name(), info.message())
                    .map_or_else(|| Self::internal(err), |answer| answer())
            }
            _ => Self::internal(err),
        }
    }
}

/// Whether a database error says the disk is full (SQLite: "database or disk is full";
/// PostgreSQL: "could not extend file …: No space left on device").
fn disk_full(message: &str) -> bool {
    message.contains("database or disk is full") || message.contains("No space left on device")
}

/// A unique index: its name, the columns SQLite names for it, and the answer to a violation.
type UniqueIndex = (&'static str, &'static str, fn() -> AppError);

/// The unique indexes a client's input can run into, and the answer for each: by the index name
/// (PostgreSQL reports it) and by the columns SQLite names in its message. The two migration
/// folders use the same index names. Any other unique violation is a bug: a 500, logged.
const UNIQUE_VIOLATIONS: &[UniqueIndex] = &[
    ("accounts_email_key", "accounts.email", email_taken),
    (
        "mobile_users_email_key",
        "mobile_users.app_id, mobile_users.email",
        mobile_user_email_taken,
    ),
    (
        "orders_app_id_order_number_key",
        "orders.app_id, orders.order_number",
        order_number_taken,
    ),
    (
        "orders_quote_id_key",
        "orders.quote_id",
        quote_already_ordered,
    ),
    (
        "coupons_issuer_code_key",
        "index 'coupons_issuer_code_key'",
        coupon_code_taken,
    ),
    (
        "subscriptions_app_id_key",
        "subscriptions.app_id",
        subscription_exists,
    ),
    (
        "publish_requests_one_waiting",
        "publish_requests.app_id, publish_requests.store",
        request_in_flight,
    ),
];

pub fn coupon_code_taken() -> AppError {
    AppError::new(
        ErrorCode::CouponCodeTaken,
        "You already have a coupon with this code (codes are compared whatever their case).",
    )
}

fn unique_violation(constraint: Option<&str>, message: &str) -> Option<fn() -> AppError> {
    // SQLite: "UNIQUE constraint failed: mobile_users.app_id, mobile_users.email", or for an
    // index on expressions "UNIQUE constraint failed: index 'coupons_issuer_code_key'".
    let sqlite_columns = message.strip_prefix("UNIQUE constraint failed: ");
    UNIQUE_VIOLATIONS
        .iter()
        .find(|(name, columns, _)| constraint == Some(*name) || sqlite_columns == Some(*columns))
        .map(|(.., answer)| *answer)
}

impl From<store::StoreError> for AppError {
    fn from(err: store::StoreError) -> Self {
        match err {
            store::StoreError::NotFound => Self::not_found(),
            store::StoreError::InvalidField { field, message } => {
                Self::invalid_field(field, message)
            }
            store::StoreError::Database(err) => err.into(),
            store::StoreError::Corrupt(err) => Self::internal(err),
        }
    }
}

impl From<diesel::r2d2::PoolError> for AppError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        Self::database_unavailable(err)
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(err: tokio::task::JoinError) -> Self {
        Self::internal(anyhow::anyhow!("blocking task failed: {err}"))
    }
}

/// 404 for a one-time link or code that is unknown, spent or expired.
pub fn invalid_link() -> AppError {
    AppError::new(
        ErrorCode::InvalidLink,
        "This link or code is unknown, already used or expired.",
    )
}

/// 409: "log in as" only opens activated customers.
pub fn customer_not_activated() -> AppError {
    AppError::new(
        ErrorCode::CustomerNotActivated,
        "Only activated customers can be opened with \"log in as\".",
    )
}

/// 403: the customer switched "log in as" off (`PATCH account {allow_log_in_as: false}`).
pub fn log_in_as_disabled() -> AppError {
    AppError::new(
        ErrorCode::LogInAsDisabled,
        "This customer does not allow \"log in as\": only the customer can switch it back on, \
         in its profile.",
    )
}

/// 409 for an email that another account already uses.
pub fn email_taken() -> AppError {
    AppError::new(
        ErrorCode::EmailTaken,
        "Another account already uses this email address.",
    )
}

/// 409 for an email another user of the same app already has.
pub fn mobile_user_email_taken() -> AppError {
    AppError::new(
        ErrorCode::EmailTaken,
        "Another user of this app already uses this email address.",
    )
}

/// 403: the mobile users of Magento apps live in the Magento store, not here.
pub fn managed_by_magento() -> AppError {
    AppError::new(
        ErrorCode::ManagedByMagento,
        "This is a Magento app: its mobile users are managed in the Magento store.",
    )
}

/// 409 for an order number the app already used for another order.
pub fn order_number_taken() -> AppError {
    AppError::new(
        ErrorCode::OrderNumberTaken,
        "This app already reported another order with this number.",
    )
}

/// 409: a quote is taken up by one order at most.
pub fn quote_already_ordered() -> AppError {
    AppError::new(
        ErrorCode::QuoteAlreadyOrdered,
        "This quote request has already been ordered.",
    )
}

pub fn subscription_exists() -> AppError {
    AppError::new(
        ErrorCode::SubscriptionExists,
        "The app already has a subscription. Change its plan instead.",
    )
}

/// Another request of the app already waits for the store (the unique index's answer when two
/// submissions race).
pub fn request_in_flight() -> AppError {
    AppError::new(
        ErrorCode::RequestInFlight,
        "Another request of this app is already waiting for this store: withdraw it, or submit \
         with \"replace\": true to withdraw and replace it in one step.",
    )
}

#[cfg(test)]
mod tests;
