use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An error, as RFC 9457 `application/problem+json`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "https://backoffice.dev/problems/validation_failed",
    "title": "Unprocessable Entity",
    "status": 422,
    "detail": "The request has 1 invalid field.",
    "code": "validation_failed",
    "errors": [{"field": "email", "message": "must be a valid email address"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem; stable for a given `code`.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short human summary: the HTTP reason phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, in words meant for a person.
    pub detail: String,
    /// Stable snake_case machine code, e.g. `email_taken`, `account_locked`.
    pub code: String,
    /// For `422`: one entry per invalid field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request id (also in the `X-Request-Id` header), to quote when reporting a problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// The field's name as sent (`email`, `password`, `per_page`).
    pub field: String,
    /// Why it was refused.
    pub message: String,
}
