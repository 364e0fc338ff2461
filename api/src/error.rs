//! Errors as HTTP answers: the domain's [`AppError`], rendered once as RFC 9457 problem+json.
//! Handlers return [`ApiResult`]; `?` turns any domain or store error into it.

use actix_web::http::{header, Method, StatusCode};
use actix_web::{HttpResponse, ResponseError};

pub use domain::error::*;

pub type ApiResult<T> = Result<T, ApiError>;

/// An [`AppError`] on its way to the client.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(err: E) -> Self {
        Self(err.into())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        let err = &self.0;
        if err.status().is_server_error() {
            tracing::error!(error = %err, "request failed");
        }
        let mut response = HttpResponse::build(err.status());
        response.content_type(PROBLEM_JSON);
        if err.status() == StatusCode::UNAUTHORIZED {
            let error = if err.code() == ErrorCode::MissingToken {
                ""
            } else {
                ", error=\"invalid_token\""
            };
            response.insert_header((
                header::WWW_AUTHENTICATE,
                format!("Bearer realm=\"backoffice\"{error}"),
            ));
        }
        if let Some(secs) = err.retry_after() {
            response.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if !err.allow().is_empty() {
            let allow: Vec<&str> = err.allow().iter().map(Method::as_str).collect();
            response.insert_header((header::ALLOW, allow.join(", ")));
        }
        response.json(err.problem())
    }
}
