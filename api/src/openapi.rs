//! The OpenAPI 3.1 document: paths come from the registered handlers (utoipa-actix-web), then the
//! error responses every operation shares are added in one place.

use actix_web::App;
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::schema::{AllOfBuilder, ArrayBuilder, ObjectBuilder, Schema};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, OpenApi as Spec, Ref, RefOr, Required, ResponseBuilder,
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
    components(schemas(
        types::Problem,
        types::FieldError,
        types::rules::Country,
        types::rules::Currency
    )),
    tags(
        (name = "auth", description = "Sign-up, activation, sign-in and sessions"),
        (name = "me", description = "The signed-in account and its API tokens"),
        (name = "partners", description = "Partners (admin only)"),
        (name = "customers", description = "Customers, managed by their partner; \"log in as\""),
        (name = "apps", description = "Mobile apps, owned by customers (and partners)"),
        (name = "devices", description = "The devices an app is installed on"),
        (name = "mobile users", description = "Users of stand-alone apps"),
        (name = "analytics", description = "An app's figures over time"),
        (name = "orders", description = "Orders placed in Standard apps, and their trace"),
        (name = "quote requests", description = "Requests for pricing from Standard apps' users, and the owner's offers"),
        (name = "billing", description = "Plans, subscriptions, coupons, payments and invoices"),
        (name = "publishing", description = "Publish requests to the App Store and Google Play, the review queue, store assets"),
        (name = "push", description = "Push messages: compose, target, schedule, send through FCM and APNs, report; push settings"),
        (name = "sdk", description = "What mobile apps send, with their `X-App-Key`"),
        (name = "audit", description = "The audit log"),
        (name = "outbox", description = "Outgoing email (admin only)"),
        (name = "webhooks", description = "Endpoints that receive events, signed as Standard Webhooks say, and their delivery logs"),
        (name = "operations", description = "Health and metrics"),
    )
)]
struct ApiDoc;

/// The complete spec, as served at `/api/v1/openapi.json` and committed in `openapi/openapi.json`.
pub fn spec() -> Spec {
    let (_, mut spec) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        // Closures: the generic `configure`s take the builder's lifetime from them.
        .service(scope::scope("/api/v1").configure(|cfg| crate::routes::configure(cfg)))
        .configure(|cfg| crate::routes::health::configure(cfg))
        .split_for_parts();
    CommonResponses.modify(&mut spec);
    document_pages_once(&mut spec);
    declare_public_operations(&mut spec);
    describe_files_as_binary(&mut spec);
    spec.servers = Some(vec![Server::new("/")]);
    if let Some(license) = spec.info.license.as_mut() {
        license.identifier = Some("AGPL-3.0-or-later".into());
    }
    spec
}

/// Operations anyone may call without a credential (the SDK's have their app key scheme): they
/// say so with `security: []`. Every other operation declares its own security, which
/// `redocly lint` checks, so an endpoint cannot become public by forgetting it.
const PUBLIC_PATHS: &[&str] = &[
    "/api/v1/auth/",
    "/api/v1/openapi.json",
    // Stripe calls it; the Stripe-Signature header is its credential.
    "/api/v1/webhooks/stripe",
    "/health/",
    "/metrics",
];

fn declare_public_operations(spec: &mut Spec) {
    for (path, item) in &mut spec.paths.paths {
        if !PUBLIC_PATHS.iter().any(|p| path.starts_with(p)) {
            continue;
        }
        let ops = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for op in ops.into_iter().flatten() {
            op.security.get_or_insert_with(Vec::new);
        }
    }
}

/// Files (`Vec<u8>` bodies: PDFs, images) are binary strings, not arrays of numbers.
fn describe_files_as_binary(spec: &mut Spec) {
    use utoipa::openapi::schema::{KnownFormat, SchemaFormat, Type};
    let binary = || {
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                .build(),
        ))
    };
    let is_file = |media: &str| media.starts_with("image/") || media == "application/pdf";
    for item in spec.paths.paths.values_mut() {
        let ops = [&mut item.get, &mut item.post];
        for op in ops.into_iter().flatten() {
            if let Some(body) = op.request_body.as_mut() {
                for (media, content) in &mut body.content {
                    if is_file(media) {
                        content.schema = Some(binary());
                    }
                }
            }
            for response in op.responses.responses.values_mut() {
                if let RefOr::T(response) = response {
                    for (media, content) in &mut response.content {
                        if is_file(media) {
                            content.schema = Some(binary());
                        }
                    }
                }
            }
        }
    }
}

/// Every list answers the same page: the shape is one `Page` schema, and each `Page_<Item>` is
/// that page with `items` of its own kind.
fn document_pages_once(spec: &mut Spec) {
    let Some(components) = spec.components.as_mut() else {
        return;
    };
    let pages: Vec<String> = components
        .schemas
        .keys()
        .filter(|name| name.starts_with("Page_"))
        .cloned()
        .collect();
    for name in pages {
        let item = name.trim_start_matches("Page_").to_owned();
        if !components.schemas.contains_key("Page") {
            if let Some(RefOr::T(Schema::Object(shape))) = components.schemas.get(&name) {
                let mut shape = shape.clone();
                shape.properties.shift_remove("items");
                shape.required.retain(|r| r != "items");
                components
                    .schemas
                    .insert("Page".into(), RefOr::T(Schema::Object(shape)));
            }
        }
        let items = ArrayBuilder::new()
            .items(Ref::from_schema_name(&item))
            .description(Some("The items of this page."));
        let page = AllOfBuilder::new()
            .item(Ref::from_schema_name("Page"))
            .item(
                ObjectBuilder::new()
                    .property("items", items)
                    .required("items"),
            )
            .description(Some(format!("One page of `{item}` items.")));
        components
            .schemas
            .insert(name, RefOr::T(Schema::AllOf(page.build())));
    }
}

/// Pretty JSON with a trailing newline, exactly as committed.
pub fn spec_json() -> String {
    to_json(&spec())
}

/// `spec` as the committed `openapi/openapi.json` holds it.
pub fn to_json(spec: &Spec) -> String {
    let mut json = spec.to_pretty_json().unwrap_or_default();
    // utoipa has no `webhooks` (OpenAPI 3.1): the events the back office sends are added as the
    // document's last member, indented as the rest.
    let hooks = serde_json::to_string_pretty(&crate::webhooks::spec_webhooks()).unwrap_or_default();
    if let Some(end) = json.rfind('}') {
        json.truncate(end);
        let trimmed = json.trim_end().len();
        json.truncate(trimmed);
        json.push_str(",\n  \"webhooks\": ");
        json.push_str(&hooks.replace('\n', "\n  "));
        json.push_str("\n}");
    }
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
        "PaymentRequired",
        "402",
        "`card_declined`: the charge was refused; `detail` gives the reason",
        &[],
    ),
    (
        "Forbidden",
        "403",
        "Signed in, but not allowed to do this; `code` says why",
        &[],
    ),
    (
        "NotFound",
        "404",
        "`not_found`: unknown, or belongs to another tenant",
        &[],
    ),
    (
        "Conflict",
        "409",
        "The request conflicts with the current state; `code` says how",
        &[],
    ),
    (
        "PreconditionFailed",
        "412",
        "`stale_version`: `If-Match` does not name the current `ETag`",
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
        "TooManyRequests",
        "429",
        "`rate_limited`: too many requests",
        &[("Retry-After", "Seconds to wait before retrying")],
    ),
    (
        "Unavailable",
        "503",
        "`database_unavailable`: retry shortly; `storage_full` (a write): the database's disk is full and nothing was saved",
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

        list_error_codes(components);

        for (path, item) in &mut spec.paths.paths {
            let uses_db = path.starts_with("/api/") || path == "/health/ready";
            let has_path_params = path.contains('{');
            let ops = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, true),
            ];
            // An app-limited API token reaches the routes of its apps, the app list and `me`.
            let of_one_app = path.starts_with("/api/v1/apps/");
            let listing = path == "/api/v1/apps" || path == "/api/v1/me";
            for (op, writes) in ops {
                if let Some(op) = op {
                    add_shared(op, uses_db, has_path_params);
                    if writes {
                        forbid_read_only_credentials(op);
                        accept_idempotency_key(op);
                    }
                    if !(of_one_app || (listing && !writes)) && bearer_secured(op) {
                        mention_codes(
                            op,
                            "403",
                            "Forbidden",
                            &[("app_limited_token", "an API token limited to some apps")],
                        );
                    }
                }
            }
        }
    }
}

/// The problem's `code` lists every code with its status and meaning (a string on the wire, not
/// an enum, so that clients generated today still read codes added later).
fn list_error_codes(components: &mut utoipa::openapi::Components) {
    use utoipa::openapi::schema::Schema;
    let Some(RefOr::T(Schema::Object(problem))) = components.schemas.get_mut("Problem") else {
        return;
    };
    let Some(RefOr::T(Schema::Object(code))) = problem.properties.get_mut("code") else {
        return;
    };
    let lines: Vec<String> = types::ErrorCode::ALL
        .iter()
        .map(|c| format!("- `{c}` ({}): {}", c.status(), c.meaning()))
        .collect();
    code.description = Some(format!(
        "Stable snake_case machine code; match on it, not on `detail`. New codes may be added. \
         The codes, with the status they come with:\n\n{}",
        lines.join("\n")
    ));
}

/// Every error answer is one of the shared responses: an operation's own line for a status
/// (`(status = 409, description = "`email_taken`")`) becomes a reference to it that keeps the
/// operation's description, which says which `code`s it answers.
fn refer_to_shared(op: &mut Operation) {
    for (status, response) in &mut op.responses.responses {
        let Some((name, ..)) = SHARED.iter().find(|(_, s, ..)| s == status) else {
            continue;
        };
        if let RefOr::T(own) = response {
            let mut shared = Ref::new(format!("#/components/responses/{name}"));
            shared.description = own.description.clone();
            *response = RefOr::Ref(shared);
        }
    }
}

/// Creates (`POST` answering 201) that take no `Idempotency-Key`, by operation id, and why.
pub const NOT_IDEMPOTENT: [(&str, &str); 2] = [
    (
        "create_token",
        "the token is shown once and kept only as a hash, so its answer cannot be replayed; a retry \
         makes another token (revoke the one you did not get)",
    ),
    (
        "impersonate_customer",
        "the one-time code is kept only as a hash; a retry makes another code, valid 60 seconds",
    ),
];

/// Operations that create no resource but move money, and take an `Idempotency-Key` too.
pub const IDEMPOTENT_ACTIONS: [&str; 1] = ["pay"];

/// Every create, and the actions of [`IDEMPOTENT_ACTIONS`], take an `Idempotency-Key` header
/// (see `crate::idempotency`), and say what it may answer.
fn accept_idempotency_key(op: &mut Operation) {
    let id = op.operation_id.as_deref().unwrap_or_default();
    let creates = op.responses.responses.contains_key("201");
    let listed_out = NOT_IDEMPOTENT.iter().any(|(n, _)| *n == id);
    if !((creates && !listed_out) || IDEMPOTENT_ACTIONS.contains(&id)) {
        return;
    }
    let schema = ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::String)
        .min_length(Some(1))
        .max_length(Some(255))
        .pattern(Some("^[!-~]{1,255}$"));
    let parameter = ParameterBuilder::new()
        .name(crate::idempotency::HEADER)
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .schema(Some(schema))
        .description(Some(
            "1 to 255 visible ASCII characters, unique per request (a UUID). A retry with the same \
             key and body does nothing again and gets the first answer (`Idempotent-Replayed: \
             true`), for 24 hours; a retry sent while the first still runs waits for it.",
        ))
        .build();
    op.parameters.get_or_insert_with(Vec::new).push(parameter);
    mention_codes(
        op,
        "400",
        "BadRequest",
        &[("invalid_idempotency_key", "a malformed `Idempotency-Key`")],
    );
    mention_codes(
        op,
        "422",
        "Unprocessable",
        &[(
            "idempotency_key_reused",
            "the `Idempotency-Key` came with another request",
        )],
    );
}

/// Adds `codes` (with what they mean) to the description of the operation's `status` answer,
/// which is the shared response `shared` when the operation has none of its own.
fn mention_codes(op: &mut Operation, status: &str, shared: &str, codes: &[(&str, &str)]) {
    let response = op
        .responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| RefOr::Ref(Ref::new(format!("#/components/responses/{shared}"))));
    let description = match response {
        RefOr::Ref(shared) => &mut shared.description,
        RefOr::T(own) => &mut own.description,
    };
    for (code, meaning) in codes {
        if !description.contains(code) {
            let sep = if description.is_empty() { "" } else { "; " };
            *description = format!("{description}{sep}`{code}`: {meaning}");
        }
    }
}

/// A signed-in write also answers 403 to a credential that may only read: a read-only API token
/// (`insufficient_scope`) or a read-only "log in as" session (`read_only_impersonation`).
fn forbid_read_only_credentials(op: &mut Operation) {
    const READ_ONLY: [(&str, &str); 2] = [
        ("insufficient_scope", "a read-only API token"),
        (
            "read_only_impersonation",
            "a read-only \"log in as\" session",
        ),
    ];
    if bearer_secured(op) {
        mention_codes(op, "403", "Forbidden", &READ_ONLY);
    }
}

/// Whether the operation takes a bearer token (an access token or a personal API token).
fn bearer_secured(op: &Operation) -> bool {
    op.security.as_ref().is_some_and(|s| {
        s.iter()
            .any(|r| serde_json::to_value(r).is_ok_and(|v| v.get("bearer").is_some()))
    })
}

fn add_shared(op: &mut Operation, uses_db: bool, has_path_params: bool) {
    refer_to_shared(op);
    let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
    let has_body = op.request_body.is_some();
    let has_query = op.parameters.as_ref().is_some_and(|ps| {
        ps.iter()
            .any(|p| matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query))
    });
    // Unknown query parameters are refused everywhere, so every operation can answer 400.
    let mut wanted: Vec<&str> = vec!["400"];
    if has_body || has_query {
        wanted.push("422");
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
