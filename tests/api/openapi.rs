//! The committed spec is what the code serves, and it documents every error.

use reqwest::StatusCode;

use crate::helpers::{Backend, TestApp};

#[tokio::test]
async fn the_committed_spec_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../openapi/openapi.json"
    ))
    .expect("openapi/openapi.json is committed");
    let generated = api::openapi::spec_json();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: regenerate it with `cargo run -p api -- openapi --output openapi/openapi.json`"
    );
}

#[tokio::test]
async fn the_served_spec_is_the_generated_one() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let reply = app
        .call(reqwest::Method::GET, "openapi.json", None, None)
        .await;
    reply.assert_status(StatusCode::OK);
    let generated: serde_json::Value =
        serde_json::from_str(&api::openapi::spec_json()).expect("json");
    assert_eq!(reply.body, generated);
    assert_eq!(reply.body["openapi"], "3.1.0");
}

#[test]
fn every_operation_declares_its_security_and_refers_to_the_shared_errors() {
    let spec: serde_json::Value = serde_json::from_str(&api::openapi::spec_json()).expect("json");
    let paths = spec["paths"].as_object().expect("paths");
    for (path, item) in paths {
        for (method, op) in item.as_object().expect("item") {
            let responses = op["responses"].as_object().expect("responses");
            let security = op["security"].as_array();
            assert!(
                security.is_some(),
                "{method} {path} declares no security (public: `[]`)"
            );
            if security.is_some_and(|s| !s.is_empty()) {
                assert!(responses.contains_key("401"), "{method} {path} lacks 401");
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "413", "415", "422"] {
                    assert!(
                        responses.contains_key(status),
                        "{method} {path} lacks {status}"
                    );
                }
            }
            for (status, response) in responses {
                if status.starts_with('4') || status.starts_with('5') {
                    let shared = response["$ref"]
                        .as_str()
                        .is_some_and(|r| r.starts_with("#/components/responses/"));
                    assert!(
                        shared,
                        "{method} {path} {status} is not a shared error response"
                    );
                }
            }
        }
    }
}

/// What an error answer's description names in backquotes is a code the server answers with (the
/// Problem's list) or a field or parameter of the spec: a renamed code cannot stay documented.
#[test]
fn the_codes_error_answers_name_exist() {
    let spec: serde_json::Value = serde_json::from_str(&api::openapi::spec_json()).expect("json");
    let codes: std::collections::BTreeSet<&str> =
        types::ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    let mut names = std::collections::BTreeSet::new();
    collect_names(&spec, &mut names);
    let mut unknown = Vec::new();
    let mut check = |place: String, description: &str| {
        for token in backquoted(description) {
            if !codes.contains(token.as_str()) && !names.contains(&token) {
                unknown.push(format!("{place}: `{token}`"));
            }
        }
    };
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("item") {
            for (status, response) in op["responses"].as_object().expect("responses") {
                if status.starts_with('4') || status.starts_with('5') {
                    let description = response["description"].as_str().unwrap_or_default();
                    check(format!("{method} {path} {status}"), description);
                }
            }
        }
    }
    for (name, response) in spec["components"]["responses"]
        .as_object()
        .expect("responses")
    {
        check(
            name.clone(),
            response["description"].as_str().unwrap_or_default(),
        );
    }
    assert!(
        unknown.is_empty(),
        "not codes, fields or parameters: {unknown:#?}"
    );
}

/// The snake_case words between backquotes.
fn backquoted(text: &str) -> Vec<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .map(str::to_owned)
        .collect()
}

/// Every property and parameter name of the spec.
fn collect_names(value: &serde_json::Value, names: &mut std::collections::BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(properties) = map.get("properties").and_then(|p| p.as_object()) {
                names.extend(properties.keys().cloned());
            }
            if map.get("in").is_some() {
                if let Some(name) = map.get("name").and_then(|n| n.as_str()) {
                    names.insert(name.to_owned());
                }
            }
            map.values().for_each(|v| collect_names(v, names));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_names(v, names)),
        _ => {}
    }
}
