//! The tenant matrix, built from the spec: **every** operation with an id in its path is called by
//! every kind of caller against another tenant's objects, and must answer 404 — 403 where the
//! caller may not use the operation at all (`admin_only`, `partners_only`, a read-only token's
//! `insufficient_scope`, an app-limited token's `app_limited_token`), 401 without the credential
//! the operation takes. A new operation is
//! covered without writing a test; one that cannot be is a failure unless `SKIPPED` gives why.

use std::collections::BTreeMap;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::both_backends;
use crate::helpers::png::png;
use crate::helpers::{Reply, TestApp};
use crate::orders::order;
use crate::quotes::quote_request;

mod tenant;
use tenant::*;

/// Operations left out of the matrix, and why.
const SKIPPED: [(&str, &str); 1] = [(
    "GET /api/v1/plans/{id}",
    "plans are the price list every account reads: no tenant's object",
)];

/// The codes of a 403 that refuses the caller's role, and the roles each lets through.
const ROLE_CODES: [(&str, &[Role]); 2] = [
    ("admin_only", &[Role::Admin]),
    ("partners_only", &[Role::Admin, Role::Partner]),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Admin,
    Partner,
    Customer,
}

/// What a caller sends.
#[derive(Debug, Clone)]
enum Credential {
    None,
    Bearer {
        token: String,
        role: Role,
        read_only: bool,
        /// Limited to the app of its tenant.
        limited: bool,
    },
    AppKey(String),
}

/// `path` with its parameters replaced by the tenant's objects; `None` names a parameter the
/// tenant has no object for.
fn fill(path: &str, tenant: &Tenant) -> Result<String, String> {
    let first = path
        .trim_start_matches("/api/v1/")
        .split('/')
        .next()
        .unwrap_or_default();
    let mut out = String::new();
    for (i, part) in path.split('{').enumerate() {
        if i == 0 {
            out.push_str(part);
            continue;
        }
        let (name, rest) = part
            .split_once('}')
            .ok_or_else(|| format!("{path}: unclosed parameter"))?;
        let key = if name == "id" { first } else { name };
        let id = tenant
            .ids
            .get(key)
            .ok_or_else(|| format!("{path}: no object for {{{name}}}"))?;
        out.push_str(id);
        out.push_str(rest);
    }
    Ok(out)
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => spec
            .pointer(reference.trim_start_matches('#'))
            .map_or(schema, |s| resolve(spec, s)),
        None => schema,
    }
}

/// A value the schema accepts: required properties only, first enum values, plausible formats.
fn example(spec: &Value, schema: &Value) -> Value {
    let schema = resolve(spec, schema);
    for combined in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema[combined].as_array() {
            let chosen = options
                .iter()
                .find(|s| s["type"] != "null")
                .unwrap_or(&options[0]);
            return example(spec, chosen);
        }
    }
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    let kind = match &schema["type"] {
        Value::Array(kinds) => kinds
            .iter()
            .find(|k| *k != "null")
            .cloned()
            .unwrap_or(Value::Null),
        other => other.clone(),
    };
    match kind.as_str().unwrap_or("object") {
        "object" => {
            let mut out = serde_json::Map::new();
            for name in schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                out.insert(name.to_owned(), example(spec, &schema["properties"][name]));
            }
            Value::Object(out)
        }
        "array" if schema["minItems"].as_u64().unwrap_or(0) > 0 => {
            json!([example(spec, &schema["items"])])
        }
        "array" => json!([]),
        "string" => match schema["format"].as_str() {
            Some("email") => json!("someone@example.com"),
            Some("date-time") => {
                json!((api::clock::now().and_utc() + chrono::Duration::days(7)).to_rfc3339())
            }
            Some("date") => json!(api::clock::now().date().to_string()),
            Some("uri") => json!("https://example.com/"),
            _ => json!("Example"),
        },
        "integer" | "number" => json!(schema["minimum"].as_i64().unwrap_or(1).max(1)),
        "boolean" => json!(false),
        _ => Value::Null,
    }
}

/// What `caller` must get from `method path` (an operation of `op`) against another tenant's
/// objects, or `None` when the pair is not a tenancy question (an admin reaches every tenant).
fn expected(
    op: &Value,
    method: &Method,
    path: &str,
    caller: &Credential,
) -> Option<(StatusCode, Option<&'static str>)> {
    let by_key = op["security"]
        .as_array()
        .is_some_and(|s| s.iter().any(|r| r.get("app_key").is_some()));
    let forbidden = op["responses"]["403"]["description"]
        .as_str()
        .unwrap_or_default();
    match caller {
        Credential::None => Some((StatusCode::UNAUTHORIZED, None)),
        Credential::AppKey(_) if by_key => Some((StatusCode::NOT_FOUND, None)),
        Credential::AppKey(_) => Some((StatusCode::UNAUTHORIZED, None)),
        Credential::Bearer { .. } if by_key => {
            Some((StatusCode::UNAUTHORIZED, Some("invalid_app_key")))
        }
        Credential::Bearer { limited: true, .. } if path.starts_with("/api/v1/apps/") => {
            Some((StatusCode::NOT_FOUND, None))
        }
        Credential::Bearer { limited: true, .. } => {
            Some((StatusCode::FORBIDDEN, Some("app_limited_token")))
        }
        Credential::Bearer {
            role, read_only, ..
        } => {
            if *read_only && method != Method::GET {
                return Some((StatusCode::FORBIDDEN, Some("insufficient_scope")));
            }
            for (code, allowed) in ROLE_CODES {
                if forbidden.contains(&format!("`{code}`")) && !allowed.contains(role) {
                    return Some((StatusCode::FORBIDDEN, Some(code)));
                }
            }
            // Administrators reach every tenant, except what is an account's own.
            let own =
                path.starts_with("/api/v1/webhook-endpoints") || path.starts_with("/api/v1/me/");
            if *role == Role::Admin && !own {
                return None;
            }
            Some((StatusCode::NOT_FOUND, None))
        }
    }
}

both_backends! {
    async fn every_operation_with_an_id_hides_other_tenants_objects_from_every_caller(app) {
        let spec: Value = serde_json::from_str(&api::openapi::spec_json()).expect("spec");
        let admin = app.admin().await;
        let plan = app.post("plans", Some(&admin), json!({"name": "Monthly", "edition": "standard",
            "interval": "month", "price": 1000, "currency": "EUR"})).await;
        let plan_id = id_of(&plan, "/id");
        let a = tenant(&app, "a", &plan_id).await;
        let b = tenant(&app, "b", &plan_id).await;
        let token = |scope: &str| {
            let req = app.post("me/tokens", Some(&a.customer_token), json!({"name": scope, "scope": scope}));
            async move { id_of(&req.await, "/secret") }
        };
        let (read_token, write_token) = (token("read").await, token("write").await);
        let limited = app.post("me/tokens", Some(&a.customer_token),
            json!({"name": "one app", "scope": "write", "app_ids": [a.ids["apps"]]})).await;
        let limited = Credential::Bearer { token: id_of(&limited, "/secret"), role: Role::Customer,
            read_only: false, limited: true };
        let bearer = |token: &str, role, read_only| Credential::Bearer { token: token.to_owned(), role,
            read_only, limited: false };
        // Each caller, and the tenant whose objects it must not reach.
        let callers: Vec<(&str, Credential, &Tenant)> = vec![
            ("admin", bearer(&admin, Role::Admin, false), &a),
            ("partner A", bearer(&a.partner_token, Role::Partner, false), &b),
            ("partner B", bearer(&b.partner_token, Role::Partner, false), &a),
            ("customer of A", bearer(&a.customer_token, Role::Customer, false), &b),
            ("customer of B", bearer(&b.customer_token, Role::Customer, false), &a),
            ("read-only API token of A's customer", bearer(&read_token, Role::Customer, true), &b),
            ("API token of A's customer", bearer(&write_token, Role::Customer, false), &b),
            ("API token of A's customer limited to its app", limited, &b),
            ("SDK key of A's app", Credential::AppKey(a.app_key.clone()), &b),
            ("no credentials", Credential::None, &b),
        ];

        let mut checked = 0;
        let mut skipped_by_role = 0;
        let mut failures = Vec::new();
        let mut operations = 0;
        for (path, item) in spec["paths"].as_object().expect("paths") {
            if !path.contains('{') {
                continue;
            }
            for (method, op) in item.as_object().expect("path item") {
                let method: Method = method.to_uppercase().parse().expect("method");
                let name = format!("{method} {path}");
                if SKIPPED.iter().any(|(skipped, _)| *skipped == name) {
                    continue;
                }
                operations += 1;
                // Required query parameters, and a body the operation accepts.
                let query: Vec<(String, String)> = op["parameters"].as_array().into_iter().flatten()
                    .filter(|p| p["in"] == "query" && p["required"] == true)
                    .map(|p| {
                        let value = p.get("example").cloned().unwrap_or_else(|| example(&spec, &p["schema"]));
                        (p["name"].as_str().unwrap_or_default().to_owned(),
                            value.as_str().map_or_else(|| value.to_string(), str::to_owned))
                    })
                    .collect();
                let content = &op["requestBody"]["content"];
                for (caller, credential, victim) in &callers {
                    let Some((status, code)) = expected(op, &method, path, credential) else {
                        skipped_by_role += 1;
                        continue;
                    };
                    let url = match fill(path, victim) {
                        Ok(url) => url,
                        Err(why) => {
                            failures.push(why);
                            break;
                        }
                    };
                    let mut req = app.client.request(method.clone(), app.url(&url)).query(&query);
                    req = match credential {
                        Credential::None => req,
                        Credential::Bearer { token, .. } => req.bearer_auth(token),
                        Credential::AppKey(key) => req.header("X-App-Key", key),
                    };
                    if content.get("application/json").is_some() {
                        req = req.json(&example(&spec, &content["application/json"]["schema"]));
                    } else if content.get("image/png").is_some() {
                        req = req.header("Content-Type", "image/png").body(png(512, 512));
                    }
                    let reply = Reply::from(req.send().await.expect("sent")).await;
                    checked += 1;
                    let code_ok = code.is_none_or(|c| reply.body["code"] == c);
                    if reply.status != status || !code_ok {
                        failures.push(format!("{name} as {caller}: {} {} (wanted {status}{})",
                            reply.status.as_u16(), reply.text.chars().take(160).collect::<String>(),
                            code.map(|c| format!(" {c}")).unwrap_or_default()));
                    }
                }
            }
        }
        let backend = if app.settings.database_url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
        println!("tenant matrix ({backend}): {checked} operation × caller pairs checked over {operations} operations \
            ({skipped_by_role} admin pairs on objects admins reach; {} operations skipped: {:?})",
            SKIPPED.len(), SKIPPED.iter().map(|(op, why)| format!("{op}: {why}")).collect::<Vec<_>>());
        assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
        assert!(checked > 400, "the matrix checked {checked} pairs only");
    }
}
