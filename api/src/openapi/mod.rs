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

mod shared;
pub use shared::*;

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
