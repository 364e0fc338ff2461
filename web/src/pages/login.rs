//! Sign in. Each refusal shows the API's own words (wrong password, not activated, locked).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use types::auth::{SecondFactor, TwoFactorChallenge};

use crate::components::ErrorBox;
use crate::session::{self, Auth};

#[component]
pub fn Login() -> impl IntoView {
    let auth = session::use_auth();
    let query = use_query_map();
    let navigate = use_navigate();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    // A person with a second factor: the challenge its second step answers.
    let pending = RwSignal::new(None::<TwoFactorChallenge>);

    // Only same-site paths: never send someone to another origin after sign-in.
    let next = move || {
        query
            .get_untracked()
            .get("next")
            .filter(|n| n.starts_with('/') && !n.starts_with("//"))
            .unwrap_or_else(|| "/".to_owned())
    };

    // Already signed in (e.g. restored from the cookie): go on.
    let go = navigate.clone();
    Effect::new(move |_| {
        if matches!(auth.get(), Auth::SignedIn(_)) {
            go(&next(), Default::default());
        }
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        error.set(None);
        let (e, p) = (email.get_untracked(), password.get_untracked());
        let missing = match (e.trim().is_empty(), p.is_empty()) {
            (true, true) => Some("Enter your email and your password."),
            (true, false) => Some("Enter your email."),
            (false, true) => Some("Enter your password."),
            (false, false) => None,
        };
        if let Some(missing) = missing {
            error.set(Some(missing.to_owned()));
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match session::sign_in(auth, e, p).await {
                Ok(second) => pending.set(second),
                Err(err) => error.set(Some(err.message())),
            }
            busy.set(false);
        });
    };

    view! {
        <main class="auth-page">
            <Show when=move || pending.get().is_none() fallback=move || view! {
                <SecondStep auth=auth pending=pending/>
            }>
            <form class="card auth-card" on:submit=submit novalidate>
                <div class="brand brand-large"><span class="brand-mark" aria-hidden="true"></span>"Back Office"</div>
                <h1>"Sign in"</h1>
                <p class="muted">"Manage your customers and their mobile apps."</p>
                {move || error.get().map(|m| view! { <ErrorBox message=m/> })}
                <label class="field">
                    <span>"Email"</span>
                    <input type="email" name="email" autocomplete="username" required bind:value=email/>
                </label>
                <label class="field">
                    <span>"Password"</span>
                    <input type="password" name="password" autocomplete="current-password" required bind:value=password/>
                </label>
                <button class="button button-primary button-block" type="submit" disabled=move || busy.get()>
                    {move || if busy.get() { "Signing in…" } else { "Sign in" }}
                </button>
                <p class="auth-links"><a href="/forgot-password">"Forgot password?"</a></p>
                <p class="auth-links">"New here? " <a href="/register">"Create an account"</a></p>
            </form>
            </Show>
        </main>
    }
}

/// The second step of a sign-in: the code the authenticator app shows, or a recovery code.
#[component]
fn SecondStep(
    auth: RwSignal<Auth>,
    pending: RwSignal<Option<TwoFactorChallenge>>,
) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let recovery = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let Some(challenge) = pending.get_untracked() else {
            return;
        };
        let typed = code.get_untracked().trim().to_owned();
        if typed.is_empty() {
            error.set(Some(if recovery.get_untracked() {
                "Enter one of your recovery codes.".to_owned()
            } else {
                "Enter the 6-digit code your app shows.".to_owned()
            }));
            return;
        }
        let answer = SecondFactor {
            challenge: challenge.challenge,
            code: (!recovery.get_untracked()).then(|| typed.replace(' ', "")),
            recovery_code: recovery.get_untracked().then(|| typed.clone()),
            use_cookie: true,
        };
        error.set(None);
        busy.set(true);
        leptos::task::spawn_local(async move {
            if let Err(err) = session::sign_in_second_step(auth, answer).await {
                if err.is(types::ErrorCode::InvalidChallenge) {
                    // Too late, or too many tries: back to the password, saying why.
                    pending.set(None);
                }
                error.set(Some(err.message()));
            }
            busy.set(false);
        });
    };
    let label = move || {
        if recovery.get() {
            "Recovery code"
        } else {
            "Code from your authenticator app"
        }
    };
    view! {
        <form class="card auth-card" on:submit=submit novalidate>
            <div class="brand brand-large"><span class="brand-mark" aria-hidden="true"></span>"Back Office"</div>
            <h1>"Two-step sign-in"</h1>
            <p class="muted">{move || if recovery.get() {
                "Enter one of the recovery codes you kept when you set up two-step sign-in. Each works once."
            } else {
                "Open your authenticator app and enter the 6-digit code it shows for Back Office."
            }}</p>
            {move || error.get().map(|m| view! { <ErrorBox message=m/> })}
            <label class="field">
                <span>{label}</span>
                <input type="text" name="code" autocomplete="one-time-code" required
                    inputmode=move || if recovery.get() { "text" } else { "numeric" }
                    bind:value=code/>
            </label>
            <button class="button button-primary button-block" type="submit" disabled=move || busy.get()>
                {move || if busy.get() { "Checking…" } else { "Sign in" }}
            </button>
            <p class="auth-links">
                <button class="link-button" type="button" on:click=move |_| { recovery.update(|r| *r = !*r); code.set(String::new()); error.set(None); }>
                    {move || if recovery.get() { "Use the code from my app" } else { "Use a recovery code instead" }}
                </button>
            </p>
            <p class="auth-links"><button class="link-button" type="button" on:click=move |_| pending.set(None)>"Back to the password"</button></p>
        </form>
    }
}
