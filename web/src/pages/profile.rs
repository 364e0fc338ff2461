//! The signed-in account's own profile: edit details, change the password, API tokens.

use leptos::prelude::*;
use types::accounts::{Account, UpdateProfile};
use types::auth::{ChangePasswordRequest, TokenResponse};
use types::FieldError;
use validator::Validate;

use crate::api;
use crate::components::{field_messages, use_toasts, ErrorBox, Tone};
use crate::pages::api_tokens::ApiTokens;
use crate::session::{self, Auth};

#[component]
pub fn Profile() -> impl IntoView {
    let auth = session::use_auth();
    let toasts = use_toasts();
    let account = session::account();
    let field = |f: fn(&Account) -> Option<String>| {
        RwSignal::new(account.as_ref().and_then(f).unwrap_or_default())
    };
    let first_name = field(|a| Some(a.first_name.clone()));
    let last_name = field(|a| Some(a.last_name.clone()));
    let company = field(|a| a.company.clone());
    let phone = field(|a| a.phone.clone());
    let country = field(|a| a.country.clone());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let opt = |s: RwSignal<String>| {
        Some(Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty()))
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        failure.set(None);
        let body = UpdateProfile {
            first_name: Some(first_name.get_untracked()),
            last_name: Some(last_name.get_untracked()),
            company: opt(company),
            phone: opt(phone),
            country: opt(country).map(|c| c.map(|c| c.to_uppercase())),
        };
        if let Err(e) = body.validate() {
            errors.set(types::problem::field_errors(&e));
            return;
        }
        leptos::task::spawn_local(async move {
            match api::call::<Account>("PATCH", "me", Some(&body), &[]).await {
                Ok(reply) => {
                    let mut updated = reply.body;
                    if let Auth::SignedIn(current) = auth.get_untracked() {
                        updated.impersonated_by = current.impersonated_by;
                        updated.impersonated_by_email = current.impersonated_by_email;
                        updated.read_only = current.read_only;
                    }
                    auth.set(Auth::SignedIn(updated));
                    toasts.show(Tone::Success, "Profile saved.");
                }
                Err(e) if !e.field_errors().is_empty() => errors.set(e.field_errors().to_vec()),
                Err(e) => failure.set(Some(e.message())),
            }
        });
    };

    let current_password = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let pw_errors = RwSignal::new(Vec::<FieldError>::new());
    let pw_failure = RwSignal::new(None::<String>);
    let change_password = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        pw_errors.set(Vec::new());
        pw_failure.set(None);
        let body = ChangePasswordRequest {
            current_password: current_password.get_untracked(),
            new_password: new_password.get_untracked(),
        };
        if let Err(e) = body.validate() {
            pw_errors.set(types::problem::field_errors(&e));
            return;
        }
        leptos::task::spawn_local(async move {
            match api::post::<TokenResponse>("me/password", &body).await {
                Ok(tokens) => {
                    api::set_access_token(Some(tokens.access_token));
                    current_password.set(String::new());
                    new_password.set(String::new());
                    toasts.show(
                        Tone::Success,
                        "Password changed; your other sessions were signed out.",
                    );
                }
                Err(e) if !e.field_errors().is_empty() => pw_errors.set(e.field_errors().to_vec()),
                Err(e) => pw_failure.set(Some(e.message())),
            }
        });
    };

    let error_of = move |list: RwSignal<Vec<FieldError>>, name: &'static str| {
        move || {
            field_messages(&list.get(), name)
                .map(|m| view! { <span class="field-error">{m}</span> })
        }
    };
    let email = account
        .as_ref()
        .map(|a| a.email.clone())
        .unwrap_or_default();
    let impersonated = account
        .as_ref()
        .is_some_and(|a| a.impersonated_by.is_some());
    view! {
        <div class="page-head"><div><h1>"Your profile"</h1><p class="muted">{email}</p></div></div>
        <section class="card">
            <div class="card-head"><h2>"Details"</h2></div>
            <form class="form" on:submit=save novalidate>
                {move || failure.get().map(|m| view! { <ErrorBox message=m/> })}
                <div class="form-grid">
                    <label class="field"><span>"First name" <abbr title="required">"*"</abbr></span><input bind:value=first_name/>{error_of(errors, "first_name")}</label>
                    <label class="field"><span>"Last name" <abbr title="required">"*"</abbr></span><input bind:value=last_name/>{error_of(errors, "last_name")}</label>
                    <label class="field span-2"><span>"Company"</span><input bind:value=company/>{error_of(errors, "company")}</label>
                    <label class="field"><span>"Phone"</span><input type="tel" bind:value=phone/>{error_of(errors, "phone")}</label>
                    <label class="field"><span>"Country (ISO code)"</span><input maxlength="2" bind:value=country/>{error_of(errors, "country")}</label>
                </div>
                <footer class="modal-actions"><button class="button button-primary" type="submit">"Save"</button></footer>
            </form>
        </section>
        <section class="card">
            <div class="card-head"><h2>"Password"</h2></div>
            <form class="form" on:submit=change_password novalidate>
                {move || pw_failure.get().map(|m| view! { <ErrorBox message=m/> })}
                <div class="form-grid">
                    <label class="field"><span>"Current password"</span><input type="password" autocomplete="current-password" bind:value=current_password/>{error_of(pw_errors, "current_password")}</label>
                    <label class="field"><span>"New password (10+ characters)"</span><input type="password" autocomplete="new-password" bind:value=new_password/>{error_of(pw_errors, "new_password")}</label>
                </div>
                <footer class="modal-actions"><button class="button" type="submit">"Change password"</button></footer>
            </form>
        </section>
        {if impersonated {
            view! {
                <section class="card">
                    <div class="card-head"><h2>"API tokens"</h2></div>
                    <p class="muted pad">"Only the account holder can manage API tokens, not during “log in as”."</p>
                </section>
            }.into_any()
        } else {
            view! { <ApiTokens/> }.into_any()
        }}
    }
}
