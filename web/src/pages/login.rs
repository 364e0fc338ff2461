//! Sign in. Each refusal shows the API's own words (wrong password, not activated, locked).

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

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
            if let Err(err) = session::sign_in(auth, e, p).await {
                error.set(Some(err.message()));
            }
            busy.set(false);
        });
    };

    view! {
        <main class="auth-page">
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
        </main>
    }
}
