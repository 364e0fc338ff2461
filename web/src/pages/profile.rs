//! The signed-in account's own profile: edit details, change the password, sessions, API
//! tokens and (for a customer) its consent to "log in as".

use leptos::prelude::*;
use types::accounts::{Account, Role, UpdateProfile};
use types::auth::{ChangePasswordRequest, TokenResponse};

use crate::api;
use crate::components::{use_toasts, FormAlerts, FormState, TextField, Tone};
use crate::pages::api_tokens::ApiTokens;
use crate::pages::sessions::{LogInAsConsent, Sessions};
use crate::pages::two_factor::TwoFactor;
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
    let billing_name = field(|a| a.billing_name.clone());
    let billing_address = field(|a| a.billing_address.clone());
    let vat_id = field(|a| a.vat_id.clone());
    let details = FormState::new();
    let opt = |s: RwSignal<String>| {
        Some(Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty()))
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        details.reset();
        let body = UpdateProfile {
            first_name: Some(first_name.get_untracked()),
            last_name: Some(last_name.get_untracked()),
            company: opt(company),
            phone: opt(phone),
            country: opt(country).map(|c| c.map(|c| c.to_uppercase())),
            billing_name: opt(billing_name),
            billing_address: opt(billing_address),
            vat_id: opt(vat_id).map(|v| v.map(|v| v.replace([' ', '.', '-'], "").to_uppercase())),
        };
        if !details.check(&body) {
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
                Err(e) => details.show(&e),
            }
        });
    };

    let current_password = RwSignal::new(String::new());
    let new_password = RwSignal::new(String::new());
    let password = FormState::new();
    let change_password = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        password.reset();
        let body = ChangePasswordRequest {
            current_password: current_password.get_untracked(),
            new_password: new_password.get_untracked(),
        };
        if !password.check(&body) {
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
                Err(e) => password.show(&e),
            }
        });
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
                <FormAlerts form=details/>
                <div class="form-grid">
                    <TextField form=details label="First name" name="first_name" value=first_name required=true/>
                    <TextField form=details label="Last name" name="last_name" value=last_name required=true/>
                    <TextField form=details label="Company" name="company" value=company wide=true/>
                    <TextField form=details label="Phone" name="phone" kind="tel" value=phone/>
                    <TextField form=details label="Country (ISO code)" name="country" value=country maxlength=2/>
                    <TextField form=details label="Name on invoices" name="billing_name" value=billing_name wide=true placeholder="Company name, else yours" maxlength=200/>
                    <label class="field span-2"><span>"Billing address"</span>
                        <textarea name="billing_address" rows="3" maxlength="500" bind:value=billing_address
                            aria-invalid=move || details.message("billing_address").is_some().to_string()
                            aria-describedby=move || details.message("billing_address").map(|_| "billing_address-error")></textarea>
                        {details.error_line("billing_address")}</label>
                    <TextField form=details label="VAT number" name="vat_id" value=vat_id placeholder="DE123456789" maxlength=20/>
                </div>
                <footer class="modal-actions"><button class="button button-primary" type="submit">"Save"</button></footer>
            </form>
        </section>
        <section class="card">
            <div class="card-head"><h2>"Password"</h2></div>
            <form class="form" on:submit=change_password novalidate>
                <FormAlerts form=password/>
                <div class="form-grid">
                    <TextField form=password label="Current password" name="current_password" kind="password" value=current_password autocomplete="current-password"/>
                    <TextField form=password label="New password (10+ characters)" name="new_password" kind="password" value=new_password autocomplete="new-password"/>
                </div>
                <footer class="modal-actions"><button class="button" type="submit">"Change password"</button></footer>
            </form>
        </section>
        {if impersonated {
            view! {
                <section class="card">
                    <div class="card-head"><h2>"Sessions, API tokens and “log in as”"</h2></div>
                    <p class="muted pad">"Only the account holder sees its sessions, manages API tokens and decides about “log in as” — not during “log in as”."</p>
                </section>
            }.into_any()
        } else {
            let customer = account.clone().filter(|a| a.role == Role::Customer);
            view! {
                <TwoFactor/>
                <Sessions/>
                {customer.map(|account| view! { <LogInAsConsent account=account/> })}
                <ApiTokens/>
            }.into_any()
        }}
    }
}
