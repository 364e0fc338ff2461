//! The account directories: partners (admins) and customers (partners and admins). One page,
//! two kinds: list with filters and pages, add, edit, lock / unlock, delete, and for customers
//! "log in as" in a new tab.

use std::collections::HashMap;

use leptos::prelude::*;
use types::accounts::{Account, AccountStatus, PartnerFilter, Role};
use types::customers::{CustomerFilter, ImpersonateRequest, ImpersonationCode};
use types::{query, Page, PageQuery};

use crate::api;
use crate::components::{
    url_page, url_state, use_toasts, Confirm, Empty, ErrorBox, FilterSelect, Loading, NotForYou,
    Pager, SearchField, TextFilter, Tone,
};
use crate::session;

mod form;
mod log_in_as;
mod row;

use form::AccountForm;
use log_in_as::LogInAsDialog;
use row::DirectoryRow;

const PER_PAGE: u32 = 20;

/// Which directory this is.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Partners,
    Customers,
}

impl Kind {
    pub fn path(self) -> &'static str {
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
pub(super) enum Dialog {
    None,
    Create,
    Edit(Account),
    SetStatus(Account, AccountStatus),
    Delete(Account),
    LogInAs(Account),
}

pub fn display_name(a: &Account) -> String {
    a.company
        .clone()
        .filter(|c| !c.is_empty())
        .unwrap_or_else(|| format!("{} {}", a.first_name, a.last_name))
}

#[component]
pub fn Partners() -> impl IntoView {
    if session::role() != Some(Role::Admin) {
        return view! {
            <NotForYou
                title="Partners"
                heading="Only administrators manage partners"
                why="Partners are the agencies of this installation; its administrators add and manage them."
            />
        }
        .into_any();
    }
    view! { <Directory kind=Kind::Partners/> }.into_any()
}

#[component]
pub fn Customers() -> impl IntoView {
    if session::role() == Some(Role::Customer) {
        return view! {
            <NotForYou
                title="Customers"
                heading="Customers are managed by partners"
                why="This is the list of an agency's customers. Your own account and apps are under Your profile and Apps."
            />
        }
        .into_any();
    }
    view! { <Directory kind=Kind::Customers/> }.into_any()
}

#[component]
fn Directory(kind: Kind) -> impl IntoView {
    let is_admin = session::role() == Some(Role::Admin);
    let page = url_page();
    let q = TextFilter::new("q", page);
    let status = url_state("status", String::new());
    let created_on = url_state("created_on", String::new());
    let partner = url_state("partner_id", String::new());
    let sort = url_state("sort", "-created_at".to_owned());
    let version = RwSignal::new(0_u32);
    let dialog = RwSignal::new(Dialog::None);
    let toasts = use_toasts();
    let customers = kind == Kind::Customers;
    // A partner sends a pending customer its activation link again (a new one: the old stops).
    let resend = move |account: Account| {
        leptos::task::spawn_local(async move {
            let path = format!("customers/{}/resend-activation", account.id);
            match api::post::<serde_json::Value>(&path, &serde_json::json!({})).await {
                Ok(_) => toasts.show(
                    Tone::Success,
                    format!("A new activation link is on its way to {}.", account.email),
                ),
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
        });
    };

    // Admins see which partner manages each customer, and can filter by it.
    let partners = LocalResource::new(move || async move {
        if customers && is_admin {
            api::accounts_by_name("partners").await
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
        let filter = CustomerFilter {
            q: query::text(&q.applied.get()),
            status: query::parsed(&status.get()),
            created_on: query::parsed(&created_on.get()),
            partner_id: query::text(&partner.get()),
            sort: query::parsed(&sort.get()),
            ..CustomerFilter::default()
        };
        let page = PageQuery::numbered(page.get(), PER_PAGE);
        let path = match kind {
            Kind::Customers => query::list_path(kind.path(), &filter, &page),
            Kind::Partners => {
                let CustomerFilter {
                    q, status, sort, ..
                } = filter;
                query::list_path(kind.path(), &PartnerFilter { q, status, sort }, &page)
            }
        };
        async move { api::get::<Page<Account>>(&path).await }
    });
    let reload = move || version.update(|v| *v += 1);

    let apply_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        q.apply();
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
            <SearchField label=if customers { "Customer" } else { "Search" } filter=q placeholder="Name, email or company"/>
            <FilterSelect label="Status" value=status page=page options=&[
                ("", "All statuses"), ("activated", "Activated"),
                ("pending_activation", "Pending activation"), ("locked", "Locked"),
            ]/>
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
                <select on:change=move |ev| { page.set(1); sort.set(event_target_value(&ev)); } prop:value=move || sort.get()>
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
                                        let managed_by = account.partner_id.as_ref().and_then(|id| names.get(id).cloned()).unwrap_or_else(|| "—".into());
                                        view! {
                                            <DirectoryRow account=account customers=customers is_admin=is_admin managed_by=managed_by
                                                dialog=dialog on_resend=Callback::new(resend)/>
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
