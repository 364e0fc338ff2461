//! Who is signed in. The account lives in a signal every page can read; the access token lives
//! in `api` (memory only).

use std::cell::Cell;

use leptos::prelude::*;
use types::accounts::{Account, Role};
use types::auth::{LoginRequest, TokenResponse};
use types::customers::ImpersonationExchange;

use crate::api::{self, ApiError};

/// Where the app is in finding out who is signed in.
#[derive(Debug, Clone)]
#[expect(
    clippy::large_enum_variant,
    reason = "there is one of it, in one signal; boxing the account would buy nothing"
)]
pub enum Auth {
    /// Restoring a session from the refresh cookie after a page load.
    Checking,
    SignedOut,
    /// Signed out on purpose: back to a plain sign-in page, not to where they were.
    SignedOutByUser,
    SignedIn(Account),
}

thread_local! {
    static SESSION: Cell<Option<RwSignal<Auth>>> = const { Cell::new(None) };
}

/// Creates the session signal (once, in `App`) and starts restoring a previous session.
pub fn provide() -> RwSignal<Auth> {
    let auth = RwSignal::new(Auth::Checking);
    SESSION.with(|s| s.set(Some(auth)));
    provide_context(auth);
    // A "log in as" tab starts its own session from its code instead.
    let opening_code = web_sys::window()
        .and_then(|w| w.location().pathname().ok())
        .is_some_and(|p| p == "/impersonate");
    if !opening_code {
        leptos::task::spawn_local(async move {
            let restored = if api::refresh_session().await {
                load_me().await.ok()
            } else {
                None
            };
            auth.set(restored.map_or(Auth::SignedOut, Auth::SignedIn));
        });
    }
    auth
}

pub fn use_auth() -> RwSignal<Auth> {
    expect_context::<RwSignal<Auth>>()
}

/// The signed-in account (pages under the protected layout only).
pub fn account() -> Option<Account> {
    match use_auth().get() {
        Auth::SignedIn(account) => Some(account),
        _ => None,
    }
}

pub fn role() -> Option<Role> {
    account().map(|a| a.role)
}

async fn load_me() -> Result<Account, ApiError> {
    api::get::<Account>("me").await
}

/// Signs in with the refresh token kept in the HttpOnly cookie. `auth` is taken before any
/// await: reactive context is not available after one.
pub async fn sign_in(
    auth: RwSignal<Auth>,
    email: String,
    password: String,
) -> Result<(), ApiError> {
    let tokens: TokenResponse = api::post(
        "auth/login",
        &LoginRequest {
            email,
            password,
            use_cookie: true,
        },
    )
    .await?;
    api::set_access_token(Some(tokens.access_token));
    let account = load_me().await?;
    auth.set(Auth::SignedIn(account));
    Ok(())
}

pub async fn sign_out(auth: RwSignal<Auth>) {
    let impersonating =
        matches!(auth.get_untracked(), Auth::SignedIn(ref a) if a.impersonated_by.is_some());
    let body = serde_json::json!({ "refresh_token": api::take_refresh_token() });
    let _ = api::post::<serde_json::Value>("auth/logout", &body).await;
    api::set_access_token(None);
    auth.set(Auth::SignedOutByUser);
    if impersonating {
        // The "log in as" tab was opened for this: closing it returns to the partner's tab.
        if let Some(window) = web_sys::window() {
            let _ = window.close();
        }
    }
}

/// Opens a "log in as" session in this tab from a one-time code. Its refresh token stays in
/// memory so the partner's own session (the cookie) is untouched.
pub async fn start_impersonation(auth: RwSignal<Auth>, code: String) -> Result<(), ApiError> {
    let body = ImpersonationExchange {
        code,
        use_cookie: false,
    };
    let tokens: TokenResponse = api::post("auth/impersonation/exchange", &body).await?;
    api::set_access_token(Some(tokens.access_token));
    api::set_refresh_token(tokens.refresh_token);
    let account = load_me().await?;
    auth.set(Auth::SignedIn(account));
    Ok(())
}

/// The session ended underneath us (refresh refused): back to sign-in.
pub fn expire() {
    api::set_access_token(None);
    if let Some(auth) = SESSION.with(Cell::get) {
        auth.set(Auth::SignedOut);
    }
}
