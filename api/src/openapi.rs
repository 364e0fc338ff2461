//! The OpenAPI 3.1 document: paths come from the registered handlers (utoipa-actix-web), then the
//! error responses every operation shares are added in one place.

use actix_web::App;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, OpenApi as Spec, Ref, RefOr, ResponseBuilder,
};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::{scope, AppExt};

use crate::error::PROBLEM_JSON;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Mobile App Back Office API",
        version = "1.0.0",
        description = "The REST API of the back office for mobile shopping apps: accounts, partners, \
            customers, apps and everything they hold. JSON in and out; ids are strings; errors are \
            RFC 9457 `application/problem+json` with a stable `code`. Sign in with `POST /auth/login` \
            and send `Authorization: Bearer <access_token>`, or create a personal API token under \
            `/me/tokens`. Text never contains NUL (`\\u0000`) characters: they are refused.",
        license(name = "AGPL-3.0-or-later")
    ),
    components(schemas(types::Problem, types::FieldError)),
    tags(
        (name = "auth", description = "Sign-up, activation, sign-in and sessions"),
        (name = "me", description = "The signed-in account and its API tokens"),
        (name = "partners", description = "Partners (admin only)"),
        (name = "customers", description = "Customers, managed by their partner; \"log in as\""),
        (name = "apps", description = "Mobile apps, owned by customers (and partners)"),
        (name = "devices", description = "The devices an app is installed on"),
        (name = "mobile users", description = "Users of stand-alone apps"),
        (name = "analytics", description = "An app's figures over time"),
        (name = "sdk", description = "What mobile apps send, with their `X-App-Key`"),
        (name = "audit", description = "The audit log"),
        (name = "outbox", description = "Outgoing email (admin only)"),
        (name = "operations", description = "Health and metrics"),
    )
)]
struct ApiDoc;

/// The complete spec, as served at `/api/v1/openapi.json` and committed in `openapi/openapi.json`.
pub fn spec() -> Spec {
    let (_, mut spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(scope::scope("/api/v1").configure(crate::routes::configure))
        .configure(crate::routes::health::configure)
        .split_for_parts();
    CommonResponses.modify(&mut spec);
    spec
}

/// Pretty JSON with a trailing newline, exactly as committed.
pub fn spec_json() -> String {
    let mut json = spec().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}

struct CommonResponses;

/// A shared error response: name, status, description, and headers (name, description).
type SharedResponse = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const SHARED: &[SharedResponse] = &[
    (
        "BadRequest",
        "400",
        "`malformed_body` or `invalid_query`: the request could not be parsed",
        &[],
    ),
    (
        "Unauthorized",
        "401",
        "`missing_token` or `invalid_token`: no usable credential",
        &[(
            "WWW-Authenticate",
            "`Bearer realm=\"backoffice\"`, with `error=\"invalid_token\"` for a bad token",
        )],
    ),
    (
        "NotFound",
        "404",
        "`not_found`: unknown, or belongs to another tenant",
        &[],
    ),
    (
        "PayloadTooLarge",
        "413",
        "`payload_too_large`: the body is over the limit",
        &[],
    ),
    (
        "UnsupportedMediaType",
        "415",
        "`unsupported_media_type`: send `application/json`",
        &[],
    ),
    (
        "Unprocessable",
        "422",
        "`validation_failed`: `errors` lists each invalid field",
        &[],
    ),
    (
        "Unavailable",
        "503",
        "`database_unavailable`: retry shortly",
        &[("Retry-After", "Seconds to wait before retrying")],
    ),
];

impl Modify for CommonResponses {
    fn modify(&self, spec: &mut Spec) {
        let components = spec.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or bo_pat_ API token")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "app_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                crate::sdk::APP_KEY_HEADER,
                "The app's public key (`app_key`), for the SDK API",
            ))),
        );
        for (name, _, description, headers) in SHARED {
            let mut response = ResponseBuilder::new().description(*description).content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            );
            for (header, description) in *headers {
                response = response.header(
                    *header,
                    HeaderBuilder::new()
                        .schema(utoipa::openapi::schema::Object::with_type(
                            utoipa::openapi::schema::Type::String,
                        ))
                        .description(Some(*description))
                        .build(),
                );
            }
            components
                .responses
                .insert((*name).to_owned(), RefOr::T(response.build()));
        }

        for (path, item) in &mut spec.paths.paths {
            let uses_db = path.starts_with("/api/") || path == "/health/ready";
            let has_path_params = path.contains('{');
            let ops = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for op in ops.into_iter().flatten() {
                add_shared(op, uses_db, has_path_params);
            }
        }
    }
}

fn add_shared(op: &mut Operation, uses_db: bool, has_path_params: bool) {
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = op.request_body.is_some();
    let has_query = op.parameters.as_ref().is_some_and(|ps| {
        ps.iter()
            .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
    });
    let mut wanted: Vec<&str> = Vec::new();
    if has_body || has_query {
        wanted.extend(["400", "422"]);
    }
    if secured {
        wanted.push("401");
    }
    if has_path_params {
        wanted.push("404");
    }
    if has_body {
        wanted.extend(["413", "415"]);
    }
    if uses_db {
        wanted.push("503");
    }
    for status in wanted {
        if let Some((name, ..)) = SHARED.iter().find(|(_, s, ..)| *s == status) {
            op.responses
                .responses
                .entry(status.to_owned())
                .or_insert_with(|| RefOr::Ref(Ref::new(format!("#/components/responses/{name}"))));
        }
    }
}
