//! A typed client of the REST API over `fetch`.
//!
//! The access token lives in memory only; the refresh token is an HttpOnly cookie the browser
//! sends to `/api/v1/auth` by itself. On a 401 the client refreshes once and retries; if that
//! fails the session is over and the app returns to the sign-in page.

use std::cell::RefCell;

use serde::de::DeserializeOwned;
use serde::Serialize;
use types::auth::TokenResponse;
use types::{FieldError, Problem};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Headers, Request, RequestCredentials, RequestInit, Response};

thread_local! {
    static ACCESS_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    /// Only in a "log in as" tab: its refresh token, kept in memory so that it never replaces
    /// the partner's own cookie session.
    static REFRESH_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
}

pub fn set_refresh_token(token: Option<String>) {
    REFRESH_TOKEN.with(|t| *t.borrow_mut() = token);
}

/// The in-memory refresh token (a "log in as" tab), removed.
pub fn take_refresh_token() -> Option<String> {
    REFRESH_TOKEN.with(|t| t.borrow_mut().take())
}

pub fn set_access_token(token: Option<String>) {
    ACCESS_TOKEN.with(|t| *t.borrow_mut() = token);
}

fn access_token() -> Option<String> {
    ACCESS_TOKEN.with(|t| t.borrow().clone())
}

/// A failed call, always with a problem to show: the API's own, or one made up for network errors.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub problem: Problem,
}

impl ApiError {
    fn network(detail: String) -> Self {
        Self {
            problem: Problem {
                problem_type: "about:blank".into(),
                title: "Network error".into(),
                status: 0,
                detail: format!(
                    "The server could not be reached ({detail}). Check your connection and retry."
                ),
                code: "network_error".into(),
                errors: Vec::new(),
                request_id: None,
            },
        }
    }

    /// What to tell the user.
    pub fn message(&self) -> String {
        self.problem.detail.clone()
    }

    pub fn code(&self) -> &str {
        &self.problem.code
    }

    /// The messages for one field of a 422.
    pub fn field_errors(&self) -> &[FieldError] {
        &self.problem.errors
    }
}

/// A successful response: the body and the headers that matter (ETag).
pub struct Reply<T> {
    pub body: T,
    pub etag: Option<String>,
}

struct Raw {
    status: u16,
    text: String,
    etag: Option<String>,
}

fn js_error(e: JsValue) -> ApiError {
    ApiError::network(e.as_string().unwrap_or_else(|| format!("{e:?}")))
}

async fn send(
    method: &str,
    path: &str,
    body: Option<&str>,
    extra: &[(&str, &str)],
) -> Result<Raw, ApiError> {
    let init = RequestInit::new();
    init.set_method(method);
    init.set_credentials(RequestCredentials::SameOrigin);
    let headers = Headers::new().map_err(js_error)?;
    headers
        .set("Accept", "application/json, application/problem+json")
        .map_err(js_error)?;
    if let Some(token) = access_token() {
        headers
            .set("Authorization", &format!("Bearer {token}"))
            .map_err(js_error)?;
    }
    for (name, value) in extra {
        headers.set(name, value).map_err(js_error)?;
    }
    if let Some(body) = body {
        headers
            .set("Content-Type", "application/json")
            .map_err(js_error)?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    let request =
        Request::new_with_str_and_init(&format!("/api/v1/{path}"), &init).map_err(js_error)?;
    let window = web_sys::window().ok_or_else(|| ApiError::network("no window".into()))?;
    let response: Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)?;
    let text = JsFuture::from(response.text().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .as_string()
        .unwrap_or_default();
    let etag = response.headers().get("ETag").ok().flatten();
    Ok(Raw {
        status: response.status(),
        text,
        etag,
    })
}

fn problem_of(raw: &Raw) -> ApiError {
    let problem = serde_json::from_str::<Problem>(&raw.text).unwrap_or_else(|_| Problem {
        problem_type: "about:blank".into(),
        title: "Error".into(),
        status: raw.status,
        detail: format!("The server answered {} unexpectedly.", raw.status),
        code: "unexpected".into(),
        errors: Vec::new(),
        request_id: None,
    });
    ApiError { problem }
}

/// Exchanges the refresh cookie for a new access token; false when the session is over.
pub async fn refresh_session() -> bool {
    let in_memory = REFRESH_TOKEN.with(|t| t.borrow().clone());
    let body = serde_json::json!({ "refresh_token": in_memory }).to_string();
    let body = if in_memory.is_some() {
        body
    } else {
        "{}".to_owned()
    };
    match send("POST", "auth/refresh", Some(&body), &[]).await {
        Ok(raw) if raw.status == 200 => match serde_json::from_str::<TokenResponse>(&raw.text) {
            Ok(tokens) => {
                set_access_token(Some(tokens.access_token));
                if in_memory.is_some() {
                    set_refresh_token(tokens.refresh_token);
                }
                true
            }
            Err(_) => false,
        },
        _ => false,
    }
}

/// Calls the API; on a 401 refreshes once and retries, and ends the session if that fails.
pub async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&impl Serialize>,
    extra: &[(&str, &str)],
) -> Result<Reply<T>, ApiError> {
    let body = body.map(|b| serde_json::to_string(b).unwrap_or_default());
    let mut raw = send(method, path, body.as_deref(), extra).await?;
    if raw.status == 401 && !path.starts_with("auth/") {
        if refresh_session().await {
            raw = send(method, path, body.as_deref(), extra).await?;
        } else {
            crate::session::expire();
        }
    }
    if (200..300).contains(&raw.status) {
        let text = if raw.text.is_empty() {
            "null"
        } else {
            &raw.text
        };
        let body = serde_json::from_str(text)
            .map_err(|e| ApiError::network(format!("unexpected response: {e}")))?;
        Ok(Reply {
            body,
            etag: raw.etag,
        })
    } else {
        Err(problem_of(&raw))
    }
}

pub async fn get<T: DeserializeOwned>(path: &str) -> Result<T, ApiError> {
    call::<T>("GET", path, None::<&()>, &[])
        .await
        .map(|r| r.body)
}

pub async fn post<T: DeserializeOwned>(path: &str, body: &impl Serialize) -> Result<T, ApiError> {
    call::<T>("POST", path, Some(body), &[])
        .await
        .map(|r| r.body)
}

pub async fn delete(path: &str) -> Result<(), ApiError> {
    call::<serde_json::Value>("DELETE", path, None::<&()>, &[])
        .await
        .map(|_| ())
}

/// A non-JSON body (a CSV export), with the same session handling as `call`.
pub async fn get_text(path: &str) -> Result<String, ApiError> {
    let mut raw = send("GET", path, None, &[]).await?;
    if raw.status == 401 && refresh_session().await {
        raw = send("GET", path, None, &[]).await?;
    }
    if (200..300).contains(&raw.status) {
        Ok(raw.text)
    } else {
        Err(problem_of(&raw))
    }
}

/// Hands `text` to the browser as a file download named `file_name`.
pub fn download(file_name: &str, mime: &str, text: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(link) = document.create_element("a") else {
        return;
    };
    let href = format!("data:{mime};charset=utf-8,{}", encode(text));
    let _ = link.set_attribute("href", &href);
    let _ = link.set_attribute("download", file_name);
    if let Ok(link) = link.dyn_into::<web_sys::HtmlElement>() {
        link.click();
    }
}

/// Copies `text` to the clipboard.
pub async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    JsFuture::from(window.navigator().clipboard().write_text(text))
        .await
        .is_ok()
}

/// Percent-encodes a query value.
pub fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value)
        .as_string()
        .unwrap_or_default()
}
