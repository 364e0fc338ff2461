//! The pages reached from the sign-in page: "Forgot password?" (a link by email), the form behind
//! that link, and sign-up for a customer account (activated by a link by email, where its
//! password is chosen).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use types::auth::{
    PasswordResetConfirm, PasswordResetRequest, RegisterAs, RegisterRequest, RegistrationAccepted,
};

use crate::api;
use crate::components::{FormAlerts, FormState, TextField};

/// Checks `body` by its rules in the browser, then posts it: `done` gets the answer, the form
/// shows a refusal by field.
fn send<B, T>(form: FormState, path: &'static str, body: B, done: impl FnOnce(T) + 'static)
where
    B: validator::Validate + serde::Serialize + 'static,
    T: serde::de::DeserializeOwned + 'static,
{
    if !form.check(&body) {
        return;
    }
    form.busy.set(true);
    leptos::task::spawn_local(async move {
        match api::post::<T>(path, &body).await {
            Ok(answer) => done(answer),
            Err(e) => form.show(&e),
        }
        form.busy.set(false);
    });
}

/// A card of the signed-out pages: the brand, a title, what to do, then the form or the outcome.
#[component]
fn AuthCard(title: &'static str, lead: &'static str, children: Children) -> impl IntoView {
    view! {
        <main class="auth-page">
            <div class="card auth-card">
                <div class="brand brand-large"><span class="brand-mark" aria-hidden="true"></span>"Back Office"</div>
                <h1>{title}</h1>
                <p class="muted">{lead}</p>
                {children()}
            </div>
        </main>
    }
}

/// `/forgot-password`: asks for a reset link. The answer is the same whether or not an account
/// uses the email (the API reveals nothing), and says so.
#[component]
pub fn ForgotPassword() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let form = FormState::new();
    let sent = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let body = PasswordResetRequest {
            email: email.get_untracked().trim().to_owned(),
        };
        let to = body.email.clone();
        send(
            form,
            "auth/password-reset",
            body,
            move |_: serde_json::Value| {
                sent.set(Some(to));
            },
        );
    };
    view! {
        <AuthCard title="Forgot your password?" lead="Enter the email you sign in with: we send a link to choose a new password.">
            {move || match sent.get() {
                Some(to) => view! {
                    <div class="notice" role="status">
                        <p>"If an account uses " <strong>{to}</strong> ", a link is on its way. It works once, within an hour."</p>
                        <p class="muted small">"Nothing arrives? Check the address, or ask whoever manages your account."</p>
                    </div>
                    <a class="button button-block" href="/login">"Back to sign in"</a>
                }
                .into_any(),
                None => view! {
                    <form on:submit=submit novalidate>
                        <FormAlerts form=form/>
                        <TextField form=form label="Email" name="email" kind="email" value=email autocomplete="username" required=true/>
                        <button class="button button-primary button-block" type="submit" disabled=move || form.busy.get()>"Send the link"</button>
                    </form>
                    <p class="auth-links"><a href="/login">"Back to sign in"</a></p>
                }
                .into_any(),
            }}
        </AuthCard>
    }
}

/// `/reset-password?token=…`: the page behind the emailed link.
#[component]
pub fn ResetPassword() -> impl IntoView {
    let query = use_query_map();
    let password = RwSignal::new(String::new());
    let repeat = RwSignal::new(String::new());
    let revoke_api_tokens = RwSignal::new(true);
    let form = FormState::new();
    let done = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let body = PasswordResetConfirm {
            token: query.get_untracked().get("token").unwrap_or_default(),
            new_password: password.get_untracked(),
            revoke_api_tokens: revoke_api_tokens.get_untracked(),
        };
        // The API's rules first (their messages win); then the second copy must match.
        if !form.check(&body) {
            return;
        }
        if repeat.get_untracked() != body.new_password {
            form.errors.set(vec![types::problem::FieldError {
                field: "repeat_password".into(),
                message: "does not match the new password".into(),
            }]);
            return;
        }
        send(
            form,
            "auth/password-reset/confirm",
            body,
            move |_: serde_json::Value| {
                done.set(true);
            },
        );
    };
    view! {
        <AuthCard title="Choose a new password" lead="10 characters or more. Every session of your account is signed out.">
            <Show
                when=move || !done.get()
                fallback=|| view! {
                    <p role="status">"Your password is changed."</p>
                    <a class="button button-primary button-block" href="/login">"Sign in"</a>
                }
            >
                <form on:submit=submit novalidate>
                    <FormAlerts form=form/>
                    <TextField form=form label="New password" name="new_password" kind="password" value=password autocomplete="new-password" required=true/>
                    <TextField form=form label="New password, again" name="repeat_password" kind="password" value=repeat autocomplete="new-password" required=true/>
                    <label class="choice">
                        <input type="checkbox" name="revoke_api_tokens" prop:checked=move || revoke_api_tokens.get() on:change=move |ev| revoke_api_tokens.set(event_target_checked(&ev))/>
                        "Also revoke my API tokens (integrations using them will need new ones)"
                    </label>
                    <button class="button button-primary button-block" type="submit" disabled=move || form.busy.get()>"Change password"</button>
                </form>
                <p class="auth-links"><a href="/forgot-password">"Ask for a new link"</a></p>
            </Show>
        </AuthCard>
    }
}

/// `/register`: a new customer account, pending until its emailed link is opened (where the
/// password is chosen). Agencies get their partner account from the installation's administrators.
#[component]
pub fn SignUp() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let (first_name, last_name) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let company = RwSignal::new(String::new());
    let form = FormState::new();
    let created = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let company = company.get_untracked().trim().to_owned();
        let body = RegisterRequest {
            email: email.get_untracked().trim().to_owned(),
            first_name: first_name.get_untracked().trim().to_owned(),
            last_name: last_name.get_untracked().trim().to_owned(),
            company: (!company.is_empty()).then_some(company),
            role: Some(RegisterAs::Customer),
        };
        send(
            form,
            "auth/register",
            body,
            move |accepted: RegistrationAccepted| {
                created.set(Some(accepted.email));
            },
        );
    };
    view! {
        <AuthCard title="Create an account" lead="For a business with its own shopping app. Agencies: ask the administrators of this back office for a partner account.">
            {move || match created.get() {
                Some(to) => view! {
                    <div class="notice" role="status">
                        <p>"Almost there: we sent a link to " <strong>{to}</strong> ". Open it to choose your password and activate your account."</p>
                    </div>
                    <a class="button button-block" href="/login">"Back to sign in"</a>
                }
                .into_any(),
                None => view! {
                    <form on:submit=submit novalidate>
                        <FormAlerts form=form/>
                        <TextField form=form label="Email" name="email" kind="email" value=email autocomplete="username" required=true/>
                        <TextField form=form label="First name" name="first_name" value=first_name autocomplete="given-name" required=true/>
                        <TextField form=form label="Last name" name="last_name" value=last_name autocomplete="family-name" required=true/>
                        <TextField form=form label="Company" name="company" value=company autocomplete="organization"/>
                        <button class="button button-primary button-block" type="submit" disabled=move || form.busy.get()>"Create account"</button>
                    </form>
                    <p class="auth-links">"Already have an account? " <a href="/login">"Sign in"</a></p>
                }
                .into_any(),
            }}
        </AuthCard>
    }
}
