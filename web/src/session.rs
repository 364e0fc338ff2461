//! Who is signed in. The account lives in a signal every page can read; the access token lives
//! in `api` (memory only).

use std::cell::Cell;

use leptos::prelude::*;
use types::accounts::{Account, Role};
use types::auth::{LoginReply, LoginRequest, SecondFactor, TokenResponse, TwoFactorChallenge};
use types::customers::ImpersonationExchange;

use crate::api::{self, ApiError, TabSession};

/// Where the app is in finding out who is signed in.
#[derive(Clone)]
#[allow(
    clippy::large_enum_variant,
    reason = "there is one of it, in one signal; boxing the account would buy nothing (and on \
              wasm32 the variants are close in size)"
)]
pub enum Auth {
    /// Restoring a session from the refresh cookie after a page load.
    Checking,
    SignedOut,
    /// Signed out on purpose: back to a plain sign-in page, not to where they were.
    SignedOutByUser,
    SignedIn(Account),
    /// A "log in as" tab whose session is over (exited, or its hour ended). It says so and stays
    /// so across reloads: it never turns into the partner's own session.
    LogInAsEnded,
}

thread_local! {
    static SESSION: Cell<Option<RwSignal<Auth>>> = const { Cell::new(None) };
}

/// Creates the session signal (once, in `App`) and starts restoring a previous session: this
/// tab's "log in as" session when it is such a tab, else the cookie's.
pub fn provide() -> RwSignal<Auth> {
    let auth = RwSignal::new(Auth::Checking);
    SESSION.with(|s| s.set(Some(auth)));
    provide_context(auth);
    api::on_session_expired(expire);
    api::load_tab_session();
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
            auth.set(match (restored, api::tab_session()) {
                (Some(account), _) => Auth::SignedIn(account),
                (None, TabSession::LogInAs(_)) => ended(),
                (None, TabSession::Cookie) => Auth::SignedOut,
            });
        });
    }
    auth
}

/// Marks this "log in as" tab as ended, for good.
fn ended() -> Auth {
    api::set_access_token(None);
    api::set_tab_session(TabSession::LogInAs(None));
    Auth::LogInAsEnded
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

/// Signs in with email and password, the refresh token kept in the HttpOnly cookie: signed in
/// (`None`), or a second step to take first (the challenge). `auth` is taken before any await:
/// reactive context is not available after one.
pub async fn sign_in(
    auth: RwSignal<Auth>,
    email: String,
    password: String,
) -> Result<Option<TwoFactorChallenge>, ApiError> {
    let reply: LoginReply = api::post(
        "auth/login",
        &LoginRequest {
            email,
            password,
            use_cookie: true,
        },
    )
    .await?;
    match reply {
        LoginReply::Tokens(tokens) => signed_in(auth, tokens).await.map(|()| None),
        LoginReply::TwoFactor(challenge) => Ok(Some(challenge)),
    }
}

/// The second step of a sign-in: the challenge answered with an app's code or a recovery code.
pub async fn sign_in_second_step(
    auth: RwSignal<Auth>,
    mut answer: SecondFactor,
) -> Result<(), ApiError> {
    answer.use_cookie = true;
    let tokens: TokenResponse = api::post("auth/login/two-factor", &answer).await?;
    signed_in(auth, tokens).await
}

async fn signed_in(auth: RwSignal<Auth>, tokens: TokenResponse) -> Result<(), ApiError> {
    // Signing in on purpose makes this tab an ordinary one again.
    api::set_tab_session(TabSession::Cookie);
    api::set_access_token(Some(tokens.access_token));
    let account = load_me().await?;
    auth.set(Auth::SignedIn(account));
    Ok(())
}

/// Signs out of this tab's session: the cookie's, or in a "log in as" tab only the customer's
/// session (the partner stays signed in in its own tabs), closing the tab.
pub async fn sign_out(auth: RwSignal<Auth>) {
    match api::tab_session() {
        TabSession::Cookie => {
            let _ = api::post::<serde_json::Value>("auth/logout", &serde_json::json!({})).await;
            api::set_access_token(None);
            auth.set(Auth::SignedOutByUser);
        }
        TabSession::LogInAs(token) => {
            // Without a token there is nothing to end: `{}` would sign out the cookie's session.
            if let Some(token) = token {
                let body = serde_json::json!({ "refresh_token": token });
                let _ = api::post::<serde_json::Value>("auth/logout", &body).await;
            }
            auth.set(ended());
            // The tab was opened for this: closing it returns to the partner's tab.
            if let Some(window) = web_sys::window() {
                let _ = window.close();
            }
        }
    }
}

/// Opens a "log in as" session in this tab from a one-time code. Its refresh token stays in this
/// tab so the partner's own session (the cookie) is untouched.
pub async fn start_impersonation(auth: RwSignal<Auth>, code: String) -> Result<(), ApiError> {
    let body = ImpersonationExchange {
        code,
        use_cookie: false,
    };
    let tokens: TokenResponse = api::post("auth/impersonation/exchange", &body).await?;
    api::set_tab_session(TabSession::LogInAs(tokens.refresh_token));
    api::set_access_token(Some(tokens.access_token));
    let account = load_me().await?;
    auth.set(Auth::SignedIn(account));
    Ok(())
}

/// Leaves an ended "log in as" tab for the browser's own session (an explicit choice).
pub fn leave_ended_tab() {
    api::set_tab_session(TabSession::Cookie);
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign("/");
    }
}

/// The session ended underneath us (refresh refused): back to sign-in, or in a "log in as" tab
/// to the page that says it ended.
fn expire() {
    if let Some(auth) = SESSION.with(Cell::get) {
        auth.set(match api::tab_session() {
            TabSession::Cookie => Auth::SignedOut,
            TabSession::LogInAs(_) => ended(),
        });
    }
}
