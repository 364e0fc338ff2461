//! The error body every operation answers with, and the codes it carries.

mod codes;

pub use codes::ErrorCode;

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
    /// Stable snake_case machine code, e.g. `email_taken`, `account_locked` (the spec's
    /// `ErrorCode` lists them all).
    pub code: String,
    /// For `422`: one entry per invalid field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// The request id (also in the `X-Request-Id` header), to quote when reporting a problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl Problem {
    /// Whether this problem carries `code`.
    pub fn is(&self, code: ErrorCode) -> bool {
        self.code == code.as_str()
    }
}

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// The field's name as sent (`email`, `password`, `per_page`).
    pub field: String,
    /// Why it was refused.
    pub message: String,
}

/// Flattens validator's errors into `{field, message}` pairs, in field order: the API's 422 body
/// and the browser forms say the same thing.
pub fn field_errors(errors: &validator::ValidationErrors) -> Vec<FieldError> {
    let mut out = Vec::new();
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

/// Nested structs and lists name their fields as paths: `events[3].at`.
fn collect(errors: &validator::ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(errs) => out.extend(errs.iter().map(|e| {
                // A rule on several fields (`#[validate(schema(…))]`) names the one it reports on.
                let named = e.params.get("field").and_then(|f| f.as_str());
                FieldError {
                    field: match named {
                        Some(name) if field == "__all__" && prefix.is_empty() => name.to_owned(),
                        Some(name) if field == "__all__" => format!("{prefix}.{name}"),
                        _ => path.clone(),
                    },
                    message: e
                        .message
                        .as_ref()
                        .map_or_else(|| describe(e), ToString::to_string),
                }
            })),
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{path}[{index}]"), out);
                }
            }
        }
    }
}

fn describe(error: &validator::ValidationError) -> String {
    let param = |name: &str| error.params.get(name).map(ToString::to_string);
    let empty = error
        .params
        .get("value")
        .is_some_and(|v| v.as_str().is_some_and(|s| s.trim().is_empty()));
    match error.code.as_ref() {
        "email" => "must be a valid email address".into(),
        "length" if empty => "is required".into(),
        "length"
            if error
                .params
                .get("value")
                .is_some_and(serde_json::Value::is_array) =>
        {
            match (param("min"), param("max")) {
                (Some(min), Some(max)) => format!("must hold {min} to {max} items"),
                (Some(min), None) => format!("must hold at least {min} items"),
                (None, Some(max)) => format!("must hold at most {max} items"),
                _ => "holds the wrong number of items".into(),
            }
        }
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} characters"),
            (Some(min), None) => format!("must be at least {min} characters"),
            (None, Some(max)) => format!("must be at most {max} characters"),
            _ => "has the wrong length".into(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            _ => "is out of range".into(),
        },
        other => format!("is invalid ({other})"),
    }
}
