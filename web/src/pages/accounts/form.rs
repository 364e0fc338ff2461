//! The "info" form of a partner or customer, to add one or edit one. Checked in the browser with
//! the API's own rules; the API's answer is still shown field by field. An edit reads the record
//! when the form opens and saves with its `ETag`: a change someone else saved meanwhile is refused
//! and the form offers to reload it.

use leptos::prelude::*;
use types::accounts::{Account, AccountStatus, CreatePartner, Role, UpdatePartner};
use types::customers::{CreateCustomer, UpdateCustomer};

use super::{display_name, Kind};
use crate::api;
use crate::components::{EditSession, FormAlerts, FormState, Modal, TextField};
use crate::session;

/// The form's values, one signal per field.
#[derive(Clone, Copy)]
struct Fields {
    email: RwSignal<String>,
    first_name: RwSignal<String>,
    last_name: RwSignal<String>,
    company: RwSignal<String>,
    phone: RwSignal<String>,
    country: RwSignal<String>,
    status: RwSignal<String>,
    password: RwSignal<String>,
    partner_id: RwSignal<String>,
    /// A partner's coupon ceiling in percent; blank is the installation's default.
    coupon_max: RwSignal<String>,
}

impl Fields {
    fn new() -> Self {
        Self {
            email: RwSignal::new(String::new()),
            first_name: RwSignal::new(String::new()),
            last_name: RwSignal::new(String::new()),
            company: RwSignal::new(String::new()),
            phone: RwSignal::new(String::new()),
            country: RwSignal::new(String::new()),
            status: RwSignal::new("activated".to_owned()),
            password: RwSignal::new(String::new()),
            partner_id: RwSignal::new(String::new()),
            coupon_max: RwSignal::new(String::new()),
        }
    }

    fn fill(self, a: &Account) {
        self.email.set(a.email.clone());
        self.first_name.set(a.first_name.clone());
        self.last_name.set(a.last_name.clone());
        self.company.set(a.company.clone().unwrap_or_default());
        self.phone.set(a.phone.clone().unwrap_or_default());
        self.country.set(a.country.clone().unwrap_or_default());
        self.status.set(a.status.as_str().to_owned());
        self.coupon_max.set(
            a.coupon_max_percent_off
                .map(|p| p.to_string())
                .unwrap_or_default(),
        );
    }

    /// The coupon ceiling as typed: blank is `None` (the default); what is not a whole number
    /// is out of range, so that the API's rule says what is wrong.
    fn coupon_max(self) -> Option<i32> {
        let typed = self.coupon_max.get_untracked();
        let typed = typed.trim();
        (!typed.is_empty()).then(|| typed.parse().unwrap_or(-1))
    }

    fn opt(s: RwSignal<String>) -> Option<String> {
        Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty())
    }

    fn status(self) -> AccountStatus {
        self.status
            .get_untracked()
            .parse()
            .unwrap_or(AccountStatus::Activated)
    }

    fn country(self) -> Option<String> {
        Self::opt(self.country).map(|c| c.to_uppercase())
    }

    /// The body of a new account, if the browser's checks pass.
    fn create_body(self, kind: Kind, form: FormState) -> Option<serde_json::Value> {
        let password = Some(self.password.get_untracked()).filter(|p| !p.is_empty());
        let email = self.email.get_untracked().trim().to_owned();
        let (first_name, last_name) = (
            self.first_name.get_untracked(),
            self.last_name.get_untracked(),
        );
        match kind {
            Kind::Partners => {
                let b = CreatePartner {
                    email,
                    first_name,
                    last_name,
                    company: self.company.get_untracked(),
                    phone: Self::opt(self.phone),
                    country: self.country(),
                    status: Some(self.status()),
                    password,
                };
                form.check(&b)
                    .then(|| serde_json::to_value(b).ok())
                    .flatten()
            }
            Kind::Customers => {
                let b = CreateCustomer {
                    email,
                    first_name,
                    last_name,
                    company: Self::opt(self.company),
                    phone: Self::opt(self.phone),
                    country: self.country(),
                    status: self.status(),
                    password,
                    partner_id: Self::opt(self.partner_id),
                };
                form.check(&b)
                    .then(|| serde_json::to_value(b).ok())
                    .flatten()
            }
        }
    }

    /// The changes to `current`, if the browser's checks pass.
    fn update_body(
        self,
        kind: Kind,
        current: &Account,
        form: FormState,
    ) -> Option<serde_json::Value> {
        let email =
            Some(self.email.get_untracked().trim().to_owned()).filter(|e| *e != current.email);
        let status = Some(self.status()).filter(|s| *s != current.status);
        let (first_name, last_name) = (
            Some(self.first_name.get_untracked()),
            Some(self.last_name.get_untracked()),
        );
        match kind {
            Kind::Partners => {
                let b = UpdatePartner {
                    email,
                    first_name,
                    last_name,
                    company: Some(self.company.get_untracked()),
                    phone: Some(Self::opt(self.phone)),
                    country: Some(self.country()),
                    status,
                    coupon_max_percent_off: Some(self.coupon_max())
                        .filter(|m| *m != current.coupon_max_percent_off),
                };
                form.check(&b)
                    .then(|| serde_json::to_value(b).ok())
                    .flatten()
            }
            Kind::Customers => {
                let b = UpdateCustomer {
                    email,
                    first_name,
                    last_name,
                    company: Some(Self::opt(self.company)),
                    phone: Some(Self::opt(self.phone)),
                    country: Some(self.country()),
                    status,
                    billing_name: None,
                    billing_address: None,
                    vat_id: None,
                };
                form.check(&b)
                    .then(|| serde_json::to_value(b).ok())
                    .flatten()
            }
        }
    }
}

/// Add (no `account`) or edit a partner or customer.
#[component]
pub fn AccountForm(
    kind: Kind,
    account: Option<Account>,
    partners: Vec<Account>,
    on_done: Callback<Option<(Account, bool)>>,
) -> impl IntoView {
    let customers = kind == Kind::Customers;
    let creating = account.is_none();
    let choose_partner = customers && creating && session::role() == Some(Role::Admin);
    let fields = Fields::new();
    let form = FormState::new();
    // The record as last read (with its ETag in `session`): what the changes are made to.
    let current = RwSignal::new(account.clone());
    let session = account
        .as_ref()
        .map(|a| EditSession::new(format!("{}/{}", kind.path(), a.id)));
    let load = move || {
        if let Some(session) = session {
            session.load(form, move |fresh: Account| {
                fields.fill(&fresh);
                current.set(Some(fresh));
            });
        }
    };
    if let Some(a) = &account {
        fields.fill(a);
    }
    load();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let editing = current.get_untracked();
        let body = match &editing {
            None => fields.create_body(kind, form),
            Some(current) => fields.update_body(kind, current, form),
        };
        let Some(body) = body else { return };
        form.busy.set(true);
        leptos::task::spawn_local(async move {
            let result = match session {
                None => api::post::<Account>(kind.path(), &body)
                    .await
                    .map(|a| (a, true)),
                Some(session) => session.save::<Account>(&body).await.map(|a| (a, false)),
            };
            match result {
                Ok(saved) => on_done.run(Some(saved)),
                Err(e) => form.show(&e),
            }
            form.busy.set(false);
        });
    };

    let title = match (creating, kind) {
        (true, Kind::Partners) => "Add partner",
        (true, Kind::Customers) => "Customer info",
        (false, Kind::Partners) => "Edit partner",
        (false, Kind::Customers) => "Edit customer",
    };
    let loading = move || session.is_some_and(|s| s.loading.get());
    view! {
        <Modal title=title.to_owned() on_close=Callback::new(move |_| on_done.run(None))>
            <form class="form" on:submit=submit novalidate aria-busy=move || loading().to_string()>
                <FormAlerts form=form on_reload=Callback::new(move |_| load())/>
                <div class="form-grid">
                    <TextField form=form label="Email (username)" name="email" kind="email" value=fields.email required=true wide=true autocomplete="off"/>
                    <TextField form=form label="First name" name="first_name" value=fields.first_name required=true/>
                    <TextField form=form label="Last name" name="last_name" value=fields.last_name required=true/>
                    <TextField form=form label="Company" name="company" value=fields.company required=!customers wide=true/>
                    <TextField form=form label="Phone" name="phone" kind="tel" value=fields.phone/>
                    <TextField form=form label="Country (ISO code)" name="country" value=fields.country maxlength=2 placeholder="NL"/>
                    <label class="field">
                        <span>"Status" <abbr title="required">"*"</abbr></span>
                        <select name="status" on:change=move |ev| fields.status.set(event_target_value(&ev)) prop:value=move || fields.status.get()>
                            <option value="activated">"Activated"</option>
                            <option value="pending_activation">"Pending activation"</option>
                            <option value="locked">"Locked"</option>
                        </select>
                    </label>
                    {(!customers && !creating).then(|| view! {
                        <TextField form=form label="Coupons take off at most (%)" name="coupon_max_percent_off" kind="number" value=fields.coupon_max placeholder="the installation's default"/>
                    })}
                    {creating.then(|| view! {
                        <TextField form=form label="Password (optional)" name="password" kind="password" value=fields.password autocomplete="new-password"/>
                    })}
                    {choose_partner.then(|| view! {
                        <label class="field span-2">
                            <span>"Partner"</span>
                            <select name="partner_id" on:change=move |ev| fields.partner_id.set(event_target_value(&ev)) prop:value=move || fields.partner_id.get()>
                                <option value="">"None (a direct customer)"</option>
                                {partners.iter().map(|p| view! { <option value=p.id.clone()>{display_name(p)}</option> }).collect_view()}
                            </select>
                            {form.error_line("partner_id")}
                        </label>
                    })}
                </div>
                <p class="muted small">{if creating {
                    "Pending: must activate by email first. Activated: can sign in right away (without a password, they get an email to set one). Locked: cannot sign in until activated again."
                } else {
                    "Locking signs the account out everywhere."
                }}</p>
                <footer class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_done.run(None)>"Cancel"</button>
                    <button type="submit" class="button button-primary" disabled=move || form.busy.get() || loading()>"OK"</button>
                </footer>
            </form>
        </Modal>
    }
}
