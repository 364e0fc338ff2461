//! The page behind activation and set-password links from emails.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use types::accounts::Account;
use types::auth::ActivateRequest;

use crate::api;
use crate::components::{FormAlerts, FormState, TextField};

#[component]
pub fn Activate() -> impl IntoView {
    let query = use_query_map();
    let password = RwSignal::new(String::new());
    let form = FormState::new();
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let token = query.get_untracked().get("token").unwrap_or_default();
        let body = ActivateRequest {
            token,
            password: password.get_untracked(),
        };
        if !form.check(&body) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::post::<Account>("auth/activate", &body).await {
                Ok(_) => done.set(true),
                Err(e) => form.show(&e),
            }
        });
    };
    view! {
        <main class="auth-page">
            <Show
                when=move || !done.get()
                fallback=|| view! {
                    <div class="card auth-card">
                        <h1>"Your account is ready"</h1>
                        <p class="muted">"You can sign in now."</p>
                        <a class="button button-primary button-block" href="/login">"Sign in"</a>
                    </div>
                }
            >
                <form class="card auth-card" on:submit=submit novalidate>
                    <h1>"Activate your account"</h1>
                    <p class="muted">"Choose the password of your account (10 characters or more)."</p>
                    <FormAlerts form=form/>
                    <TextField form=form label="Password" name="password" kind="password" value=password autocomplete="new-password" required=true/>
                    <button class="button button-primary button-block" type="submit">"Activate"</button>
                </form>
            </Show>
        </main>
    }
}
