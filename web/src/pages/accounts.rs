//! The account directories: partners (admins) and customers (partners and admins). One page,
//! two kinds: list with filters and pages, add, edit, lock / unlock, delete, and for customers
//! "log in as" in a new tab.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use types::accounts::{Account, AccountStatus, CreatePartner, Role, UpdatePartner};
use types::customers::{CreateCustomer, ImpersonateRequest, ImpersonationCode, UpdateCustomer};
use types::{FieldError, Page};
use validator::Validate;

use crate::api::{self, ApiError};
use crate::components::{
    date, field_messages, use_toasts, Confirm, Empty, ErrorBox, Loading, Modal, Pager, StatusBadge,
    Tone,
};
use crate::session;

const PER_PAGE: u32 = 20;

/// Which directory this is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Partners,
    Customers,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Self::Partners => "partners",
            Self::Customers => "customers",
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Self::Partners => "partner",
            Self::Customers => "customer",
        }
    }
}

/// What is open over the list.
#[derive(Clone)]
enum Dialog {
    None,
    Create,
    Edit(Account),
    SetStatus(Account, AccountStatus),
    Delete(Account),
    LogInAs(Account),
}

fn display_name(a: &Account) -> String {
    a.company
        .clone()
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| format!("{} {}", a.first_name, a.last_name))
}

#[component]
pub fn Partners() -> impl IntoView {
    view! { <Directory kind=Kind::Partners/> }
}

#[component]
pub fn Customers() -> impl IntoView {
    view! { <Directory kind=Kind::Customers/> }
}

#[component]
fn Directory(kind: Kind) -> impl IntoView {
    let query = use_query_map();
    let is_admin = session::role() == Some(Role::Admin);
    let q = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(query.get_untracked().get("status").unwrap_or_default());
    let created_on = RwSignal::new(String::new());
    let partner = RwSignal::new(String::new());
    let sort = RwSignal::new("-created_at".to_owned());
    let page = RwSignal::new(1_u32);
    let version = RwSignal::new(0_u32);
    let dialog = RwSignal::new(Dialog::None);
    let toasts = use_toasts();
    let customers = kind == Kind::Customers;

    // Admins see which partner manages each customer, and can filter by it.
    let partners = LocalResource::new(move || async move {
        if customers && is_admin {
            api::get::<Page<Account>>("partners?per_page=100&sort=name")
                .await
                .map(|p| p.items)
                .unwrap_or_default()
        } else {
            Vec::new()
        }
    });
    let partner_names = move || -> HashMap<String, String> {
        partners
            .get()
            .unwrap_or_default()
            .iter()
            .map(|p| (p.id.clone(), display_name(p)))
            .collect()
    };

    let list = LocalResource::new(move || {
        version.track();
        let mut path = format!(
            "{}?page={}&per_page={PER_PAGE}&sort={}",
            kind.path(),
            page.get(),
            api::encode(&sort.get())
        );
        let (q, status, day, partner) = (q.get(), status.get(), created_on.get(), partner.get());
        if !q.trim().is_empty() {
            path.push_str(&format!("&q={}", api::encode(q.trim())));
        }
        if !status.is_empty() {
            path.push_str(&format!("&status={status}"));
        }
        if !day.is_empty() {
            path.push_str(&format!("&created_on={day}"));
        }
        if !partner.is_empty() {
            path.push_str(&format!("&partner_id={partner}"));
        }
        async move { api::get::<Page<Account>>(&path).await }
    });
    let reload = move || version.update(|v| *v += 1);

    let apply_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        page.set(1);
        q.set(search.get_untracked());
    };

    let change_status = move |account: Account, to: AccountStatus| {
        leptos::task::spawn_local(async move {
            let body = serde_json::json!({ "status": to });
            let path = format!("{}/{}", kind.path(), account.id);
            match api::call::<Account>("PATCH", &path, Some(&body), &[]).await {
                Ok(_) => {
                    let verb = if to == AccountStatus::Locked {
                        "locked"
                    } else {
                        "unlocked"
                    };
                    toasts.show(Tone::Success, format!("{} {verb}.", display_name(&account)));
                    reload();
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
            dialog.set(Dialog::None);
        });
    };
    let delete = move |account: Account| {
        leptos::task::spawn_local(async move {
            match api::delete(&format!("{}/{}", kind.path(), account.id)).await {
                Ok(()) => {
                    toasts.show(Tone::Success, format!("{} deleted.", account.email));
                    reload();
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
            dialog.set(Dialog::None);
        });
    };
    // "Log in as": the tab opens at once (inside the click, so no pop-up blocker stops it) and
    // is sent to the code's page when the API answers.
    let log_in_as = move |account: Account, read_only: bool| {
        dialog.set(Dialog::None);
        let Some(window) = web_sys::window() else {
            return;
        };
        let tab = window
            .open_with_url_and_target("about:blank", "_blank")
            .ok()
            .flatten();
        leptos::task::spawn_local(async move {
            let path = format!("customers/{}/impersonate", account.id);
            match api::post::<ImpersonationCode>(&path, &ImpersonateRequest { read_only }).await {
                Ok(code) => match tab {
                    Some(tab) => {
                        let _ = tab.location().set_href(&code.url);
                    }
                    None => toasts.show(
                        Tone::Error,
                        "Allow pop-ups to open the customer's back office.",
                    ),
                },
                Err(e) => {
                    if let Some(tab) = tab {
                        let _ = tab.close();
                    }
                    toasts.show(Tone::Error, e.message());
                }
            }
        });
    };

    let (title, intro) = match kind {
        Kind::Partners => (
            "Partners",
            "Agencies and resellers that manage customers in this back office.",
        ),
        Kind::Customers => ("Customers", "The businesses whose mobile apps you manage."),
    };
    view! {
        <div class="page-head">
            <div>
                <h1>{title}</h1>
                <p class="muted">{intro}</p>
            </div>
            <button class="button button-primary" on:click=move |_| dialog.set(Dialog::Create)>
                {if customers { "Add New Customer" } else { "Add partner" }}
            </button>
        </div>

        <form class="filters card" role="search" on:submit=apply_search>
            <label class="field grow">
                <span>{if customers { "Customer" } else { "Search" }}</span>
                <input type="search" placeholder="Name, email or company" bind:value=search/>
            </label>
            <label class="field">
                <span>"Status"</span>
                <select on:change=move |ev| { page.set(1); status.set(event_target_value(&ev)); } prop:value=move || status.get()>
                    <option value="">"All statuses"</option>
                    <option value="activated">"Activated"</option>
                    <option value="pending_activation">"Pending activation"</option>
                    <option value="locked">"Locked"</option>
                </select>
            </label>
            {customers.then(|| view! {
                <label class="field">
                    <span>"Date"</span>
                    <input type="date" on:change=move |ev| { page.set(1); created_on.set(event_target_value(&ev)); } prop:value=move || created_on.get()/>
                </label>
            })}
            {(customers && is_admin).then(|| view! {
                <label class="field">
                    <span>"Partner"</span>
                    <select on:change=move |ev| { page.set(1); partner.set(event_target_value(&ev)); } prop:value=move || partner.get()>
                        <option value="">"All partners"</option>
                        {move || partners.get().unwrap_or_default().into_iter().map(|p| {
                            let name = display_name(&p);
                            view! { <option value=p.id.clone()>{name}</option> }
                        }).collect_view()}
                    </select>
                </label>
            })}
            <label class="field">
                <span>"Sort by"</span>
                <select on:change=move |ev| sort.set(event_target_value(&ev)) prop:value=move || sort.get()>
                    <option value="-created_at">"Newest first"</option>
                    <option value="created_at">"Oldest first"</option>
                    <option value="name">"Name A–Z"</option>
                    <option value="-name">"Name Z–A"</option>
                    <option value="email">"Email A–Z"</option>
                    <option value="-email">"Email Z–A"</option>
                </select>
            </label>
            <button class="button" type="submit">"Search"</button>
        </form>

        <div class="card">
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <Empty title=if customers { "No customers found" } else { "No partners found" } hint="Change the filters, or add one."/>
                    }.into_any(),
                    Ok(p) => {
                        let names = partner_names();
                        view! {
                        <div class="table-wrap">
                            <table>
                                <thead><tr>
                                    <th scope="col">{if customers { "Customer" } else { "Partner" }}</th>
                                    <th scope="col">"Email"</th>
                                    {(customers && is_admin).then(|| view! { <th scope="col">"Partner"</th> })}
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Created"</th><th scope="col" class="actions-col">"Actions"</th>
                                </tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|account| {
                                        let person = format!("{} {}", account.first_name, account.last_name);
                                        let label = display_name(&account);
                                        let (for_edit, for_status, for_delete, for_login) = (account.clone(), account.clone(), account.clone(), account.clone());
                                        let locked = account.status == AccountStatus::Locked;
                                        let can_log_in_as = customers && account.status == AccountStatus::Activated;
                                        let managed_by = account.partner_id.as_ref().and_then(|id| names.get(id).cloned()).unwrap_or_else(|| "—".into());
                                        view! {
                                            <tr>
                                                <td><strong>{label.clone()}</strong><div class="muted small">{person}</div></td>
                                                <td>{account.email.clone()}</td>
                                                {(customers && is_admin).then(|| view! { <td>{managed_by}</td> })}
                                                <td><StatusBadge status=account.status/></td>
                                                <td class="nowrap">{date(&account.created_at)}</td>
                                                <td class="actions">
                                                    {can_log_in_as.then(|| view! {
                                                        <button class="button button-small" aria-label=format!("Log in as {label}")
                                                            title="Open this customer's back office in a new tab"
                                                            on:click=move |_| dialog.set(Dialog::LogInAs(for_login.clone()))>"Log in as"</button>
                                                    })}
                                                    {customers.then(|| view! {
                                                        <a class="button button-small" href=format!("/apps?owner_id={}", account.id) aria-label=format!("Apps of {label}")>"Apps"</a>
                                                    })}
                                                    <button class="button button-small" aria-label=format!("Edit {label}")
                                                        on:click=move |_| dialog.set(Dialog::Edit(for_edit.clone()))>"Edit"</button>
                                                    <button class="button button-small" aria-label=format!("{} {label}", if locked { "Unlock" } else { "Lock" })
                                                        on:click=move |_| dialog.set(Dialog::SetStatus(for_status.clone(), if locked { AccountStatus::Activated } else { AccountStatus::Locked }))>
                                                        {if locked { "Unlock" } else { "Lock" }}
                                                    </button>
                                                    <button class="button button-small button-danger-quiet" aria-label=format!("Delete {label}")
                                                        on:click=move |_| dialog.set(Dialog::Delete(for_delete.clone()))>"Delete"</button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Pager page=page per_page=PER_PAGE total=p.total/>
                    }.into_any()},
                })}
            </Transition>
        </div>

        {move || {
            let done = Callback::new(move |saved: Option<(Account, bool)>| {
                if let Some((a, created)) = saved {
                    let noun = kind.noun();
                    let what = if created { "created" } else { "saved" };
                    toasts.show(Tone::Success, format!("{}{} {} {what}.", noun[..1].to_uppercase(), &noun[1..], a.email));
                    reload();
                }
                dialog.set(Dialog::None);
            });
            match dialog.get() {
                Dialog::None => ().into_any(),
                Dialog::Create => view! { <AccountForm kind=kind account=None partners=partners.get().unwrap_or_default() on_done=done/> }.into_any(),
                Dialog::Edit(account) => view! { <AccountForm kind=kind account=Some(account) partners=Vec::new() on_done=done/> }.into_any(),
                Dialog::SetStatus(account, to) => {
                    let locking = to == AccountStatus::Locked;
                    let who = display_name(&account);
                    let noun = kind.noun();
                    let message = if locking {
                        format!("{who} will be signed out everywhere and cannot sign in until unlocked.")
                    } else {
                        format!("{who} will be able to sign in again.")
                    };
                    view! {
                        <Confirm
                            title=format!("{} {noun}?", if locking { "Lock" } else { "Unlock" })
                            message=message
                            confirm_label=if locking { "Lock".to_owned() } else { "Unlock".to_owned() }
                            on_confirm=Callback::new(move |_| change_status(account.clone(), to))
                            on_cancel=Callback::new(move |_| dialog.set(Dialog::None))
                        />
                    }.into_any()
                }
                Dialog::LogInAs(account) => view! {
                    <LogInAsDialog
                        account=account
                        on_open=Callback::new(move |(account, read_only)| log_in_as(account, read_only))
                        on_cancel=Callback::new(move |_| dialog.set(Dialog::None))
                    />
                }.into_any(),
                Dialog::Delete(account) => {
                    let rule = match kind {
                        Kind::Partners => "Partners that still manage customers cannot be deleted.",
                        Kind::Customers => "Their sessions end at once; the audit log keeps what they did.",
                    };
                    view! {
                        <Confirm
                            title=format!("Delete {}?", kind.noun())
                            message=format!("{} and its account will be deleted for good. {rule}", account.email)
                            confirm_label="Delete".to_owned()
                            on_confirm=Callback::new(move |_| delete(account.clone()))
                            on_cancel=Callback::new(move |_| dialog.set(Dialog::None))
                        />
                    }.into_any()
                }
            }
        }}
    }
}

/// "Log in as": how to open the customer's back office (optionally look-only) before the new tab
/// opens. The tab opens inside the button's click, so no pop-up blocker stops it.
#[component]
fn LogInAsDialog(
    account: Account,
    on_open: Callback<(Account, bool)>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let read_only = RwSignal::new(false);
    let who = display_name(&account);
    view! {
        <Modal title=format!("Log in as {who}") on_close=on_cancel>
            <div class="form">
                <p>"The customer's back office opens in a new tab for at most an hour, with a banner naming you. Everything you do there is recorded in the activity log under both names. Your own session here is not affected."</p>
                <label class="check">
                    <input type="checkbox" name="read_only" prop:checked=move || read_only.get()
                        on:change=move |ev| read_only.set(event_target_checked(&ev))/>
                    <span>"Read-only: look without changing anything"</span>
                </label>
                <footer class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                    <button type="button" class="button button-primary"
                        on:click=move |_| on_open.run((account.clone(), read_only.get_untracked()))>"Open back office"</button>
                </footer>
            </div>
        </Modal>
    }
}

/// The "info" form, to add (no `account`) or edit. Validated in the browser with the API's own
/// rules; the API's answer is still shown field by field.
#[component]
fn AccountForm(
    kind: Kind,
    account: Option<Account>,
    partners: Vec<Account>,
    on_done: Callback<Option<(Account, bool)>>,
) -> impl IntoView {
    let editing = account.clone();
    let customers = kind == Kind::Customers;
    let choose_partner = customers && editing.is_none() && session::role() == Some(Role::Admin);
    let text = |f: fn(&Account) -> Option<String>| {
        RwSignal::new(account.as_ref().and_then(f).unwrap_or_default())
    };
    let email = text(|a| Some(a.email.clone()));
    let first_name = text(|a| Some(a.first_name.clone()));
    let last_name = text(|a| Some(a.last_name.clone()));
    let company = text(|a| a.company.clone());
    let phone = text(|a| a.phone.clone());
    let country = text(|a| a.country.clone());
    let partner_id = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let status = RwSignal::new(
        account
            .as_ref()
            .map_or("activated", |a| a.status.as_str())
            .to_owned(),
    );
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let opt =
        |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty());

    let show_api_error = move |e: ApiError| {
        if e.code() == "email_taken" {
            errors.set(vec![FieldError {
                field: "email".into(),
                message: e.message(),
            }]);
        } else if !e.field_errors().is_empty() {
            errors.set(e.field_errors().to_vec());
        } else {
            failure.set(Some(e.message()));
        }
    };
    let invalid =
        move |e: validator::ValidationErrors| errors.set(types::problem::field_errors(&e));

    let editing_for_submit = editing.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        failure.set(None);
        let status_value: AccountStatus =
            serde_json::from_value(serde_json::Value::String(status.get_untracked()))
                .unwrap_or(AccountStatus::Activated);
        let country_value = opt(country).map(|c| c.to_uppercase());
        let password_value = Some(password.get_untracked()).filter(|p| !p.is_empty());
        // Build and check the body the API will get; None when the browser already refused it.
        let body: Option<serde_json::Value> = match (&editing_for_submit, kind) {
            (None, Kind::Partners) => {
                let b = CreatePartner {
                    email: email.get_untracked().trim().to_owned(),
                    first_name: first_name.get_untracked(),
                    last_name: last_name.get_untracked(),
                    company: company.get_untracked(),
                    phone: opt(phone),
                    country: country_value,
                    status: Some(status_value),
                    password: password_value,
                };
                b.validate()
                    .map_err(invalid)
                    .ok()
                    .and_then(|()| serde_json::to_value(b).ok())
            }
            (None, Kind::Customers) => {
                let b = CreateCustomer {
                    email: email.get_untracked().trim().to_owned(),
                    first_name: first_name.get_untracked(),
                    last_name: last_name.get_untracked(),
                    company: opt(company),
                    phone: opt(phone),
                    country: country_value,
                    status: status_value,
                    password: password_value,
                    partner_id: opt(partner_id),
                };
                b.validate()
                    .map_err(invalid)
                    .ok()
                    .and_then(|()| serde_json::to_value(b).ok())
            }
            (Some(current), Kind::Partners) => {
                let b = UpdatePartner {
                    email: Some(email.get_untracked().trim().to_owned())
                        .filter(|e| *e != current.email),
                    first_name: Some(first_name.get_untracked()),
                    last_name: Some(last_name.get_untracked()),
                    company: Some(company.get_untracked()),
                    phone: Some(opt(phone)),
                    country: Some(country_value),
                    status: Some(status_value).filter(|s| *s != current.status),
                };
                b.validate()
                    .map_err(invalid)
                    .ok()
                    .and_then(|()| serde_json::to_value(b).ok())
            }
            (Some(current), Kind::Customers) => {
                let b = UpdateCustomer {
                    email: Some(email.get_untracked().trim().to_owned())
                        .filter(|e| *e != current.email),
                    first_name: Some(first_name.get_untracked()),
                    last_name: Some(last_name.get_untracked()),
                    company: Some(opt(company)),
                    phone: Some(opt(phone)),
                    country: Some(country_value),
                    status: Some(status_value).filter(|s| *s != current.status),
                };
                b.validate()
                    .map_err(invalid)
                    .ok()
                    .and_then(|()| serde_json::to_value(b).ok())
            }
        };
        let Some(body) = body else { return };
        busy.set(true);
        let current = editing_for_submit.clone();
        leptos::task::spawn_local(async move {
            let result = match current {
                None => api::post::<Account>(kind.path(), &body)
                    .await
                    .map(|a| (a, true)),
                Some(current) => {
                    // Edit what we read: If-Match makes a concurrent change a 412, not an overwrite.
                    let path = format!("{}/{}", kind.path(), current.id);
                    match api::call::<Account>("GET", &path, None::<&()>, &[]).await {
                        Ok(fresh) => {
                            let etag = fresh.etag.unwrap_or_default();
                            api::call::<Account>(
                                "PATCH",
                                &path,
                                Some(&body),
                                &[("If-Match", &etag)],
                            )
                            .await
                            .map(|r| (r.body, false))
                        }
                        Err(e) => Err(e),
                    }
                }
            };
            match result {
                Ok(saved) => on_done.run(Some(saved)),
                Err(e) => show_api_error(e),
            }
            busy.set(false);
        });
    };

    let error_of = move |field: &'static str| {
        move || {
            field_messages(&errors.get(), field)
                .map(|m| view! { <span class="field-error" id=format!("{field}-error")>{m}</span> })
        }
    };
    let title = match (editing.is_some(), kind) {
        (false, Kind::Partners) => "Add partner",
        (false, Kind::Customers) => "Customer info",
        (true, Kind::Partners) => "Edit partner",
        (true, Kind::Customers) => "Edit customer",
    };
    view! {
        <Modal title=title.to_owned() on_close=Callback::new(move |_| on_done.run(None))>
            <form class="form" on:submit=submit novalidate>
                {move || failure.get().map(|m| view! { <ErrorBox message=m/> })}
                <div class="form-grid">
                    <label class="field span-2">
                        <span>"Email (username)" <abbr title="required">"*"</abbr></span>
                        <input type="email" name="email" required bind:value=email/>
                        {error_of("email")}
                    </label>
                    <label class="field">
                        <span>"First name" <abbr title="required">"*"</abbr></span>
                        <input name="first_name" required bind:value=first_name/>
                        {error_of("first_name")}
                    </label>
                    <label class="field">
                        <span>"Last name" <abbr title="required">"*"</abbr></span>
                        <input name="last_name" required bind:value=last_name/>
                        {error_of("last_name")}
                    </label>
                    <label class="field span-2">
                        <span>"Company" {(!customers).then(|| view! { <abbr title="required">"*"</abbr> })}</span>
                        <input name="company" bind:value=company/>
                        {error_of("company")}
                    </label>
                    <label class="field">
                        <span>"Phone"</span>
                        <input type="tel" name="phone" bind:value=phone/>
                        {error_of("phone")}
                    </label>
                    <label class="field">
                        <span>"Country (ISO code)"</span>
                        <input name="country" maxlength="2" placeholder="NL" bind:value=country/>
                        {error_of("country")}
                    </label>
                    <label class="field">
                        <span>"Status" <abbr title="required">"*"</abbr></span>
                        <select name="status" on:change=move |ev| status.set(event_target_value(&ev)) prop:value=move || status.get()>
                            <option value="activated">"Activated"</option>
                            <option value="pending_activation">"Pending activation"</option>
                            <option value="locked">"Locked"</option>
                        </select>
                    </label>
                    {editing.is_none().then(|| view! {
                        <label class="field">
                            <span>"Password (optional)"</span>
                            <input type="password" name="password" autocomplete="new-password" bind:value=password/>
                            {error_of("password")}
                        </label>
                    })}
                    {choose_partner.then(|| view! {
                        <label class="field span-2">
                            <span>"Partner"</span>
                            <select name="partner_id" on:change=move |ev| partner_id.set(event_target_value(&ev)) prop:value=move || partner_id.get()>
                                <option value="">"None (a direct customer)"</option>
                                {partners.iter().map(|p| view! { <option value=p.id.clone()>{display_name(p)}</option> }).collect_view()}
                            </select>
                            {error_of("partner_id")}
                        </label>
                    })}
                </div>
                <p class="muted small">{if editing.is_none() {
                    "Pending: must activate by email first. Activated: can sign in right away (without a password, they get an email to set one). Locked: cannot sign in until activated again."
                } else {
                    "Locking signs the account out everywhere."
                }}</p>
                <footer class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_done.run(None)>"Cancel"</button>
                    <button type="submit" class="button button-primary" disabled=move || busy.get()>"OK"</button>
                </footer>
            </form>
        </Modal>
    }
}
