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

mod files;
mod pickers;
pub use files::*;
pub use pickers::*;

thread_local! {
    static ACCESS_TOKEN: RefCell<Option<String>> = const { RefCell::new(None) };
    static TAB: RefCell<TabSession> = const { RefCell::new(TabSession::Cookie) };
    /// The refresh under way, which every caller that meets a 401 meanwhile waits for: a refresh
    /// token works once, and presenting it twice would end the session as stolen.
    static REFRESHING: RefCell<Option<js_sys::Promise>> = const { RefCell::new(None) };
    /// What to do when the session is over (a refresh was refused): set by `session`, so that this
    /// module does not depend on it.
    static ON_EXPIRED: RefCell<Option<fn()>> = const { RefCell::new(None) };
}

/// Registers what happens when the session turns out to be over.
pub fn on_session_expired(hook: fn()) {
    ON_EXPIRED.with(|h| *h.borrow_mut() = Some(hook));
}

fn session_expired() {
    set_access_token(None);
    if let Some(hook) = ON_EXPIRED.with(|h| *h.borrow()) {
        hook();
    }
}

/// Whose session this browser tab holds.
#[derive(Clone, PartialEq, Eq)]
pub enum TabSession {
    /// The account signed in in this browser: its refresh token is the HttpOnly cookie.
    Cookie,
    /// A "log in as" tab: its own refresh token, kept in this tab's `sessionStorage` (which
    /// survives a reload of the tab and is seen by no other tab), never the cookie — so that the
    /// tab never turns into the partner's session and never touches it. `None` once it ended.
    LogInAs(Option<String>),
}

/// The `sessionStorage` key of a "log in as" tab: its refresh token, or "" once it ended.
const LOG_IN_AS_KEY: &str = "bo_log_in_as";

fn tab_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// Reads what this tab was (after a reload) from `sessionStorage`.
pub fn load_tab_session() {
    let stored = tab_storage().and_then(|s| s.get_item(LOG_IN_AS_KEY).ok().flatten());
    let tab = match stored {
        None => TabSession::Cookie,
        Some(token) if token.is_empty() => TabSession::LogInAs(None),
        Some(token) => TabSession::LogInAs(Some(token)),
    };
    TAB.with(|t| *t.borrow_mut() = tab);
}

pub fn tab_session() -> TabSession {
    TAB.with(|t| t.borrow().clone())
}

/// Makes this tab hold `tab` from now on, across reloads.
pub fn set_tab_session(tab: TabSession) {
    if let Some(storage) = tab_storage() {
        let _ = match &tab {
            TabSession::Cookie => storage.remove_item(LOG_IN_AS_KEY),
            TabSession::LogInAs(token) => {
                storage.set_item(LOG_IN_AS_KEY, token.as_deref().unwrap_or_default())
            }
        };
    }
    TAB.with(|t| *t.borrow_mut() = tab);
}

pub fn set_access_token(token: Option<String>) {
    ACCESS_TOKEN.with(|t| *t.borrow_mut() = token);
}

fn access_token() -> Option<String> {
    ACCESS_TOKEN.with(|t| t.borrow().clone())
}

/// A failed call, always with a problem to show: the API's own, or one made up for network errors.
#[derive(Clone)]
pub struct ApiError {
    pub problem: Problem,
}

impl ApiError {
    fn new(title: &str, code: &str, detail: String) -> Self {
        Self {
            problem: Problem {
                problem_type: "about:blank".into(),
                title: title.into(),
                status: 0,
                detail,
                code: code.into(),
                errors: Vec::new(),
                request_id: None,
            },
        }
    }

    fn network(detail: String) -> Self {
        Self::new(
            "Network error",
            "network_error",
            format!("The server could not be reached ({detail}). Check your connection and retry."),
        )
    }

    /// A request the page refuses to send as it stands (say, a date range that ends before it
    /// starts), shown where the list's error would be.
    pub fn local(detail: &str) -> Self {
        Self::new("Check the filters", "invalid_filters", detail.into())
    }

    /// What to tell the user.
    pub fn message(&self) -> String {
        self.problem.detail.clone()
    }

    /// Whether the server answered with `code`.
    pub fn is(&self, code: types::ErrorCode) -> bool {
        self.problem.is(code)
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

/// One request with this tab's access token; the response as it came.
async fn fetch(
    method: &str,
    path: &str,
    body: Option<&str>,
    extra: &[(&str, &str)],
) -> Result<Response, ApiError> {
    let json = body.map(|b| (JsValue::from_str(b), "application/json"));
    fetch_body(method, path, json.as_ref().map(|(b, t)| (b, *t)), extra).await
}

/// [`fetch`] with any body (a JSON text, a file) and its content type.
async fn fetch_body(
    method: &str,
    path: &str,
    body: Option<(&JsValue, &str)>,
    extra: &[(&str, &str)],
) -> Result<Response, ApiError> {
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
    if let Some((body, content_type)) = body {
        headers
            .set("Content-Type", content_type)
            .map_err(js_error)?;
        init.set_body(body);
    }
    init.set_headers(&headers);
    let request =
        Request::new_with_str_and_init(&format!("/api/v1/{path}"), &init).map_err(js_error)?;
    let window = web_sys::window().ok_or_else(|| ApiError::network("no window".into()))?;
    JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)
}

async fn text_of(response: &Response) -> Result<String, ApiError> {
    Ok(JsFuture::from(response.text().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .as_string()
        .unwrap_or_default())
}

async fn send(
    method: &str,
    path: &str,
    body: Option<&str>,
    extra: &[(&str, &str)],
) -> Result<Raw, ApiError> {
    let response = fetch(method, path, body, extra).await?;
    let etag = response.headers().get("ETag").ok().flatten();
    Ok(Raw {
        status: response.status(),
        text: text_of(&response).await?,
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

/// Exchanges this tab's refresh token (the cookie, or a "log in as" tab's own) for a new access
/// token; false when the session is over. Concurrent callers share one refresh.
pub async fn refresh_session() -> bool {
    let running = REFRESHING.with(|r| r.borrow().clone());
    let refresh = running.unwrap_or_else(|| {
        let refresh = wasm_bindgen_futures::future_to_promise(async {
            let renewed = refresh_once().await;
            REFRESHING.with(|r| *r.borrow_mut() = None);
            Ok(JsValue::from_bool(renewed))
        });
        REFRESHING.with(|r| *r.borrow_mut() = Some(refresh.clone()));
        refresh
    });
    JsFuture::from(refresh)
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// Whether this browser holds a session cookie: the server sets `bo_session=1` beside the
/// HttpOnly refresh cookie (which scripts cannot see), and removes both together.
fn has_cookie_session() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.dyn_into::<web_sys::HtmlDocument>().ok())
        .and_then(|d| d.cookie().ok())
        .is_some_and(|cookies| cookies.split(';').any(|c| c.trim() == "bo_session=1"))
}

async fn refresh_once() -> bool {
    let tab = tab_session();
    let body = match &tab {
        // No session cookie, nothing to refresh: a visitor who never signed in is not sent a 401.
        TabSession::Cookie if !has_cookie_session() => return false,
        TabSession::Cookie => "{}".to_owned(),
        TabSession::LogInAs(Some(token)) => {
            serde_json::json!({ "refresh_token": token }).to_string()
        }
        // An ended "log in as" tab has nothing to refresh, and must never fall back to the cookie.
        TabSession::LogInAs(None) => return false,
    };
    let tokens = match send("POST", "auth/refresh", Some(&body), &[]).await {
        Ok(raw) if raw.status == 200 => serde_json::from_str::<TokenResponse>(&raw.text).ok(),
        _ => None,
    };
    let Some(tokens) = tokens else { return false };
    set_access_token(Some(tokens.access_token));
    if let TabSession::LogInAs(_) = tab {
        set_tab_session(TabSession::LogInAs(tokens.refresh_token));
    }
    true
}

/// Sends a request with this tab's session: on a 401 refreshes once and retries, and ends the
/// session if that fails; any answer but a 2xx is its problem. Not generic, so that this code
/// exists once in the wasm, however many response types the pages read.
async fn exchange(
    method: &str,
    path: &str,
    body: Option<String>,
    extra: &[(&str, &str)],
) -> Result<Raw, ApiError> {
    let mut raw = send(method, path, body.as_deref(), extra).await?;
    if raw.status == 401 && !path.starts_with("auth/") {
        if refresh_session().await {
            raw = send(method, path, body.as_deref(), extra).await?;
        } else {
            session_expired();
        }
    }
    if (200..300).contains(&raw.status) {
        Ok(raw)
    } else {
        Err(problem_of(&raw))
    }
}

/// Calls the API with a JSON body (if any) and reads its JSON answer with the `ETag`.
pub async fn call<T: DeserializeOwned>(
    method: &str,
    path: &str,
    body: Option<&impl Serialize>,
    extra: &[(&str, &str)],
) -> Result<Reply<T>, ApiError> {
    let body = body.map(|b| serde_json::to_string(b).unwrap_or_default());
    let raw = exchange(method, path, body, extra).await?;
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
