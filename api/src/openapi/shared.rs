//! What every operation shares, added in one place: the error responses and the codes they name, the security schemes, Idempotency-Key, and the refusals of read-only credentials.

use super::*;

pub(super) struct CommonResponses;

/// A shared error response: name, status, description, and headers (name, description).
pub(super) type SharedResponse = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

pub(super) const SHARED: &[SharedResponse] = &[
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
pub(super) fn list_error_codes(components: &mut utoipa::openapi::Components) {
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
pub(super) fn refer_to_shared(op: &mut Operation) {
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
pub(super) fn accept_idempotency_key(op: &mut Operation) {
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
pub(super) fn mention_codes(
    op: &mut Operation,
    status: &str,
    shared: &str,
    codes: &[(&str, &str)],
) {
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
pub(super) fn forbid_read_only_credentials(op: &mut Operation) {
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
pub(super) fn bearer_secured(op: &Operation) -> bool {
    op.security.as_ref().is_some_and(|s| {
        s.iter()
            .any(|r| serde_json::to_value(r).is_ok_and(|v| v.get("bearer").is_some()))
    })
}

pub(super) fn add_shared(op: &mut Operation, uses_db: bool, has_path_params: bool) {
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
