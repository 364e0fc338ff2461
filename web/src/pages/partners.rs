//! Partners (admin): list with filters and pages, create, edit, lock / unlock, delete.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use types::accounts::{AccountStatus, CreatePartner, Partner, UpdatePartner};
use types::{FieldError, Page};
use validator::Validate;

use crate::api::{self, ApiError};
use crate::components::{
    date, field_messages, use_toasts, Confirm, Empty, ErrorBox, Loading, Modal, Pager, StatusBadge,
    Tone,
};

const PER_PAGE: u32 = 20;

/// What is open over the list.
#[derive(Clone)]
enum Dialog {
    None,
    Create,
    Edit(Partner),
    SetStatus(Partner, AccountStatus),
    Delete(Partner),
}

#[component]
pub fn Partners() -> impl IntoView {
    let query = use_query_map();
    let q = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(query.get_untracked().get("status").unwrap_or_default());
    let sort = RwSignal::new("-created_at".to_owned());
    let page = RwSignal::new(1_u32);
    let version = RwSignal::new(0_u32);
    let dialog = RwSignal::new(Dialog::None);
    let toasts = use_toasts();

    let list = LocalResource::new(move || {
        version.track();
        let mut path = format!(
            "partners?page={}&per_page={PER_PAGE}&sort={}",
            page.get(),
            api::encode(&sort.get())
        );
        let (q, status) = (q.get(), status.get());
        if !q.trim().is_empty() {
            path.push_str(&format!("&q={}", api::encode(q.trim())));
        }
        if !status.is_empty() {
            path.push_str(&format!("&status={status}"));
        }
        async move { api::get::<Page<Partner>>(&path).await }
    });
    let reload = move || version.update(|v| *v += 1);

    let apply_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        page.set(1);
        q.set(search.get_untracked());
    };

    let change_status = move |partner: Partner, to: AccountStatus| {
        leptos::task::spawn_local(async move {
            let body = UpdatePartner {
                status: Some(to),
                ..UpdatePartner::default()
            };
            let path = format!("partners/{}", partner.id);
            match api::call::<Partner>("PATCH", &path, Some(&body), &[]).await {
                Ok(_) => {
                    let verb = if to == AccountStatus::Locked {
                        "locked"
                    } else {
                        "unlocked"
                    };
                    toasts.show(
                        Tone::Success,
                        format!("{} {verb}.", partner.company.unwrap_or(partner.email)),
                    );
                    reload();
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
            dialog.set(Dialog::None);
        });
    };
    let delete = move |partner: Partner| {
        leptos::task::spawn_local(async move {
            match api::delete(&format!("partners/{}", partner.id)).await {
                Ok(()) => {
                    toasts.show(Tone::Success, format!("{} deleted.", partner.email));
                    reload();
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
            dialog.set(Dialog::None);
        });
    };

    view! {
        <div class="page-head">
            <div>
                <h1>"Partners"</h1>
                <p class="muted">"Agencies and resellers that manage customers in this back office."</p>
            </div>
            <button class="button button-primary" on:click=move |_| dialog.set(Dialog::Create)>"Add partner"</button>
        </div>

        <form class="filters card" role="search" on:submit=apply_search>
            <label class="field grow">
                <span>"Search"</span>
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
                        <Empty title="No partners found" hint="Change the filters, or add a partner."/>
                    }.into_any(),
                    Ok(p) => view! {
                        <div class="table-wrap">
                            <table>
                                <thead><tr>
                                    <th scope="col">"Partner"</th><th scope="col">"Email"</th><th scope="col">"Status"</th>
                                    <th scope="col">"Created"</th><th scope="col" class="actions-col">"Actions"</th>
                                </tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|partner| {
                                        let name = format!("{} {}", partner.first_name, partner.last_name);
                                        let (for_edit, for_status, for_delete) = (partner.clone(), partner.clone(), partner.clone());
                                        let locked = partner.status == AccountStatus::Locked;
                                        let company = partner.company.clone().unwrap_or_default();
                                        view! {
                                            <tr>
                                                <td><strong>{company.clone()}</strong><div class="muted small">{name}</div></td>
                                                <td>{partner.email.clone()}</td>
                                                <td><StatusBadge status=partner.status/></td>
                                                <td class="nowrap">{date(&partner.created_at)}</td>
                                                <td class="actions">
                                                    <button class="button button-small" aria-label=format!("Edit {company}")
                                                        on:click=move |_| dialog.set(Dialog::Edit(for_edit.clone()))>"Edit"</button>
                                                    <button class="button button-small" aria-label=format!("{} {company}", if locked { "Unlock" } else { "Lock" })
                                                        on:click=move |_| dialog.set(Dialog::SetStatus(for_status.clone(), if locked { AccountStatus::Activated } else { AccountStatus::Locked }))>
                                                        {if locked { "Unlock" } else { "Lock" }}
                                                    </button>
                                                    <button class="button button-small button-danger-quiet" aria-label=format!("Delete {company}")
                                                        on:click=move |_| dialog.set(Dialog::Delete(for_delete.clone()))>"Delete"</button>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <Pager page=page per_page=PER_PAGE total=p.total/>
                    }.into_any(),
                })}
            </Transition>
        </div>

        {move || match dialog.get() {
            Dialog::None => ().into_any(),
            Dialog::Create => view! {
                <PartnerForm partner=None on_done=Callback::new(move |saved: Option<Partner>| {
                    if let Some(p) = saved { toasts.show(Tone::Success, format!("Partner {} created.", p.email)); reload(); }
                    dialog.set(Dialog::None);
                })/>
            }.into_any(),
            Dialog::Edit(partner) => view! {
                <PartnerForm partner=Some(partner) on_done=Callback::new(move |saved: Option<Partner>| {
                    if let Some(p) = saved { toasts.show(Tone::Success, format!("Partner {} saved.", p.email)); reload(); }
                    dialog.set(Dialog::None);
                })/>
            }.into_any(),
            Dialog::SetStatus(partner, to) => {
                let locking = to == AccountStatus::Locked;
                let who = partner.company.clone().unwrap_or_else(|| partner.email.clone());
                let message = if locking {
                    format!("{who} will be signed out everywhere and cannot sign in until unlocked.")
                } else {
                    format!("{who} will be able to sign in again.")
                };
                view! {
                    <Confirm
                        title=if locking { "Lock partner?".to_owned() } else { "Unlock partner?".to_owned() }
                        message=message
                        confirm_label=if locking { "Lock".to_owned() } else { "Unlock".to_owned() }
                        on_confirm=Callback::new(move |_| change_status(partner.clone(), to))
                        on_cancel=Callback::new(move |_| dialog.set(Dialog::None))
                    />
                }.into_any()
            }
            Dialog::Delete(partner) => view! {
                <Confirm
                    title="Delete partner?".to_owned()
                    message=format!("{} and its account will be deleted for good. Partners that still manage customers cannot be deleted.", partner.email)
                    confirm_label="Delete".to_owned()
                    on_confirm=Callback::new(move |_| delete(partner.clone()))
                    on_cancel=Callback::new(move |_| dialog.set(Dialog::None))
                />
            }.into_any(),
        }}
    }
}

/// Create (no `partner`) or edit form. Validated in the browser with the API's own rules, and
/// the API's answer is still shown field by field.
#[component]
fn PartnerForm(partner: Option<Partner>, on_done: Callback<Option<Partner>>) -> impl IntoView {
    let editing = partner.clone();
    let text = |f: fn(&Partner) -> Option<String>| {
        RwSignal::new(partner.as_ref().and_then(f).unwrap_or_default())
    };
    let email = text(|p| Some(p.email.clone()));
    let first_name = text(|p| Some(p.first_name.clone()));
    let last_name = text(|p| Some(p.last_name.clone()));
    let company = text(|p| p.company.clone());
    let phone = text(|p| p.phone.clone());
    let country = text(|p| p.country.clone());
    let password = RwSignal::new(String::new());
    let status = RwSignal::new(
        partner
            .as_ref()
            .map_or("activated", |p| p.status.as_str())
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

    let editing_for_submit = editing.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        failure.set(None);
        let status_value: Option<AccountStatus> =
            serde_json::from_value(serde_json::Value::String(status.get_untracked())).ok();
        match editing_for_submit.clone() {
            None => {
                let body = CreatePartner {
                    email: email.get_untracked().trim().to_owned(),
                    first_name: first_name.get_untracked(),
                    last_name: last_name.get_untracked(),
                    company: company.get_untracked(),
                    phone: opt(phone),
                    country: opt(country).map(|c| c.to_uppercase()),
                    status: status_value,
                    password: Some(password.get_untracked()).filter(|p| !p.is_empty()),
                };
                if let Err(e) = body.validate() {
                    errors.set(types::problem::field_errors(&e));
                    return;
                }
                busy.set(true);
                leptos::task::spawn_local(async move {
                    match api::post::<Partner>("partners", &body).await {
                        Ok(saved) => on_done.run(Some(saved)),
                        Err(e) => show_api_error(e),
                    }
                    busy.set(false);
                });
            }
            Some(current) => {
                let body = UpdatePartner {
                    email: Some(email.get_untracked().trim().to_owned())
                        .filter(|e| *e != current.email),
                    first_name: Some(first_name.get_untracked()),
                    last_name: Some(last_name.get_untracked()),
                    company: Some(company.get_untracked()),
                    phone: Some(opt(phone)),
                    country: Some(opt(country).map(|c| c.to_uppercase())),
                    status: status_value.filter(|s| *s != current.status),
                };
                if let Err(e) = body.validate() {
                    errors.set(types::problem::field_errors(&e));
                    return;
                }
                busy.set(true);
                leptos::task::spawn_local(async move {
                    // Edit what we read: If-Match makes a concurrent change a 412, not an overwrite.
                    let path = format!("partners/{}", current.id);
                    let result = match api::call::<Partner>("GET", &path, None::<&()>, &[]).await {
                        Ok(fresh) => {
                            let etag = fresh.etag.unwrap_or_default();
                            api::call::<Partner>(
                                "PATCH",
                                &path,
                                Some(&body),
                                &[("If-Match", &etag)],
                            )
                            .await
                        }
                        Err(e) => Err(e),
                    };
                    match result {
                        Ok(saved) => on_done.run(Some(saved.body)),
                        Err(e) => show_api_error(e),
                    }
                    busy.set(false);
                });
            }
        }
    };

    let error_of = move |field: &'static str| {
        move || {
            field_messages(&errors.get(), field)
                .map(|m| view! { <span class="field-error" id=format!("{field}-error")>{m}</span> })
        }
    };
    let title = if editing.is_some() {
        "Edit partner"
    } else {
        "Add partner"
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
                        <span>"Company" <abbr title="required">"*"</abbr></span>
                        <input name="company" required bind:value=company/>
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
                        <span>"Status"</span>
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
                </div>
                <p class="muted small">{if editing.is_none() { "Without a password the partner receives an email to set one (or to activate a pending account)." } else { "Locking signs the partner out everywhere." }}</p>
                <footer class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_done.run(None)>"Cancel"</button>
                    <button type="submit" class="button button-primary" disabled=move || busy.get()>"OK"</button>
                </footer>
            </form>
        </Modal>
    }
}
