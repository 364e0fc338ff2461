//! "Manage Mobile Users" of a stand-alone app: search, add, edit, block / unblock, delete,
//! export. Magento apps keep their users in the Magento store, and the tab says so.

use leptos::prelude::*;
use types::apps::{App, AppKind};
use types::mobile_users::{CreateMobileUser, MobileUser, MobileUserStatus, UpdateMobileUser};
use types::{FieldError, Page};
use validator::Validate;

use crate::api;
use crate::components::{
    date, field_messages, use_toasts, Confirm, Empty, ErrorBox, Loading, Modal, Pager, Tone,
};

const PER_PAGE: u32 = 20;

#[derive(Clone)]
enum Dialog {
    None,
    Create,
    Edit(MobileUser),
    Delete(MobileUser),
}

#[component]
pub fn MobileUsersTab(app: App) -> impl IntoView {
    if app.kind == AppKind::Magento {
        let store = app.store_url.clone();
        return view! {
            <section class="card notice" role="note">
                <h2>"Mobile users are managed in the Magento store"</h2>
                <p class="muted">"This is a Magento app: its users sign up and sign in with their Magento customer accounts, so they are managed in the store's own admin, not here."</p>
                {store.map(|url| view! { <p><a href=url.clone() target="_blank" rel="noopener">{format!("Open {url}")}</a></p> })}
            </section>
        }
        .into_any();
    }
    view! { <UserDirectory app_id=app.id/> }.into_any()
}

#[component]
fn UserDirectory(app_id: String) -> impl IntoView {
    let base = format!("apps/{app_id}/mobile-users");
    let q = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let page = RwSignal::new(1_u32);
    let version = RwSignal::new(0_u32);
    let dialog = RwSignal::new(Dialog::None);
    let toasts = use_toasts();
    let filters = move || {
        let mut query = String::new();
        if !q.get().trim().is_empty() {
            query.push_str(&format!("&q={}", api::encode(q.get().trim())));
        }
        if !status.get().is_empty() {
            query.push_str(&format!("&status={}", status.get()));
        }
        query
    };
    let list_base = base.clone();
    let list = LocalResource::new(move || {
        version.track();
        let path = format!(
            "{list_base}?page={}&per_page={PER_PAGE}{}",
            page.get(),
            filters()
        );
        async move { api::get::<Page<MobileUser>>(&path).await }
    });
    let reload = move || version.update(|v| *v += 1);
    let apply_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        page.set(1);
        q.set(search.get_untracked());
    };
    let export_base = base.clone();
    let export_app = app_id.clone();
    let export = move |_| {
        let path = format!("{export_base}/export?{}", filters().trim_start_matches('&'));
        let file = format!("app-{export_app}-mobile-users.csv");
        leptos::task::spawn_local(async move {
            match api::get_text(&path).await {
                Ok(csv) => api::download(&file, "text/csv", &csv),
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
        });
    };
    let stored_base = StoredValue::new(base.clone());
    let set_status = move |user: MobileUser, to: MobileUserStatus| {
        let path = format!("{}/{}", stored_base.get_value(), user.id);
        leptos::task::spawn_local(async move {
            let body = serde_json::json!({ "status": to });
            match api::call::<MobileUser>("PATCH", &path, Some(&body), &[]).await {
                Ok(_) => {
                    let verb = if to == MobileUserStatus::Blocked {
                        "blocked"
                    } else {
                        "unblocked"
                    };
                    toasts.show(Tone::Success, format!("{} {verb}.", user.email));
                    reload();
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
        });
    };
    let delete = move |user: MobileUser| {
        let path = format!("{}/{}", stored_base.get_value(), user.id);
        leptos::task::spawn_local(async move {
            match api::delete(&path).await {
                Ok(()) => {
                    toasts.show(Tone::Success, format!("{} deleted.", user.email));
                    reload();
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
            dialog.set(Dialog::None);
        });
    };

    view! {
        <form class="filters card" role="search" on:submit=apply_search>
            <label class="field grow"><span>"Mobile user"</span>
                <input type="search" placeholder="Name or email" bind:value=search/></label>
            <label class="field"><span>"Status"</span>
                <select on:change=move |ev| { page.set(1); status.set(event_target_value(&ev)); }>
                    <option value="">"All"</option>
                    <option value="active">"Active"</option>
                    <option value="blocked">"Blocked"</option>
                </select></label>
            <button class="button" type="submit">"Search"</button>
            <button class="button" type="button" on:click=export>"Export CSV"</button>
            <button class="button button-primary" type="button" on:click=move |_| dialog.set(Dialog::Create)>"Add user"</button>
        </form>
        <div class="card">
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <Empty title="No mobile users" hint="Users appear when they sign up in the app, or add one here."/>
                    }.into_any(),
                    Ok(p) => view! {
                        <div class="table-wrap">
                            <table>
                                <thead><tr>
                                    <th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Phone"</th>
                                    <th scope="col">"Status"</th><th scope="col">"Joined"</th><th scope="col" class="actions-col">"Actions"</th>
                                </tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|u| {
                                        let blocked = u.status == MobileUserStatus::Blocked;
                                        let (for_edit, for_status, for_delete) = (u.clone(), u.clone(), u.clone());
                                        let name = format!("{} {}", u.first_name, u.last_name);
                                        view! {
                                            <tr>
                                                <td><strong>{name.clone()}</strong></td>
                                                <td>{u.email.clone()}</td>
                                                <td>{u.phone.clone().unwrap_or_else(|| "—".into())}</td>
                                                <td>{if blocked { view! { <span class="badge badge-danger">"Blocked"</span> } } else { view! { <span class="badge badge-success">"Active"</span> } }}</td>
                                                <td class="nowrap">{date(&u.created_at)}</td>
                                                <td class="actions">
                                                    <button class="button button-small" aria-label=format!("Edit {name}") on:click=move |_| dialog.set(Dialog::Edit(for_edit.clone()))>"Edit"</button>
                                                    <button class="button button-small" aria-label=format!("{} {name}", if blocked { "Unblock" } else { "Block" })
                                                        on:click=move |_| set_status(for_status.clone(), if blocked { MobileUserStatus::Active } else { MobileUserStatus::Blocked })>
                                                        {if blocked { "Unblock" } else { "Block" }}</button>
                                                    <button class="button button-small button-danger-quiet" aria-label=format!("Delete {name}") on:click=move |_| dialog.set(Dialog::Delete(for_delete.clone()))>"Delete"</button>
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
        {move || {
            let done = Callback::new(move |saved: Option<MobileUser>| {
                if let Some(u) = saved {
                    toasts.show(Tone::Success, format!("{} saved.", u.email));
                    reload();
                }
                dialog.set(Dialog::None);
            });
            match dialog.get() {
                Dialog::None => ().into_any(),
                Dialog::Create => view! { <UserForm base=stored_base.get_value() user=None on_done=done/> }.into_any(),
                Dialog::Edit(u) => view! { <UserForm base=stored_base.get_value() user=Some(u) on_done=done/> }.into_any(),
                Dialog::Delete(u) => view! {
                    <Confirm
                        title="Delete mobile user?".to_owned()
                        message=format!("{} will be removed from the app for good.", u.email)
                        confirm_label="Delete".to_owned()
                        on_confirm=Callback::new(move |_| delete(u.clone()))
                        on_cancel=Callback::new(move |_| dialog.set(Dialog::None))
                    />
                }.into_any(),
            }
        }}
    }
}

#[component]
fn UserForm(
    base: String,
    user: Option<MobileUser>,
    on_done: Callback<Option<MobileUser>>,
) -> impl IntoView {
    let text = |f: fn(&MobileUser) -> Option<String>| {
        RwSignal::new(user.as_ref().and_then(f).unwrap_or_default())
    };
    let email = text(|u| Some(u.email.clone()));
    let first_name = text(|u| Some(u.first_name.clone()));
    let last_name = text(|u| Some(u.last_name.clone()));
    let phone = text(|u| u.phone.clone());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let editing = user.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        failure.set(None);
        let phone_value = Some(phone.get_untracked().trim().to_owned()).filter(|p| !p.is_empty());
        let body = match &editing {
            None => {
                let b = CreateMobileUser {
                    email: email.get_untracked().trim().to_owned(),
                    first_name: first_name.get_untracked(),
                    last_name: last_name.get_untracked(),
                    phone: phone_value,
                };
                b.validate().map(|()| serde_json::to_value(b).ok())
            }
            Some(current) => {
                let b = UpdateMobileUser {
                    email: Some(email.get_untracked().trim().to_owned())
                        .filter(|e| *e != current.email),
                    first_name: Some(first_name.get_untracked()),
                    last_name: Some(last_name.get_untracked()),
                    phone: Some(phone_value),
                    status: None,
                };
                b.validate().map(|()| serde_json::to_value(b).ok())
            }
        };
        let body = match body {
            Ok(Some(body)) => body,
            Ok(None) => return,
            Err(e) => return errors.set(types::problem::field_errors(&e)),
        };
        let (method, path) = match &editing {
            None => ("POST", base.clone()),
            Some(u) => ("PATCH", format!("{base}/{}", u.id)),
        };
        leptos::task::spawn_local(async move {
            match api::call::<MobileUser>(method, &path, Some(&body), &[]).await {
                Ok(r) => on_done.run(Some(r.body)),
                Err(e) if e.code() == "email_taken" => errors.set(vec![FieldError {
                    field: "email".into(),
                    message: e.message(),
                }]),
                Err(e) if !e.field_errors().is_empty() => errors.set(e.field_errors().to_vec()),
                Err(e) => failure.set(Some(e.message())),
            }
        });
    };
    let error_of = move |field: &'static str| {
        move || {
            field_messages(&errors.get(), field)
                .map(|m| view! { <span class="field-error">{m}</span> })
        }
    };
    view! {
        <Modal title=if user.is_some() { "Edit mobile user".to_owned() } else { "Add mobile user".to_owned() } on_close=Callback::new(move |_| on_done.run(None))>
            <form class="form" on:submit=submit novalidate>
                {move || failure.get().map(|m| view! { <ErrorBox message=m/> })}
                <div class="form-grid">
                    <label class="field span-2"><span>"Email" <abbr title="required">"*"</abbr></span>
                        <input type="email" name="email" bind:value=email/>{error_of("email")}</label>
                    <label class="field"><span>"First name" <abbr title="required">"*"</abbr></span>
                        <input name="first_name" bind:value=first_name/>{error_of("first_name")}</label>
                    <label class="field"><span>"Last name" <abbr title="required">"*"</abbr></span>
                        <input name="last_name" bind:value=last_name/>{error_of("last_name")}</label>
                    <label class="field span-2"><span>"Phone"</span>
                        <input type="tel" name="phone" bind:value=phone/>{error_of("phone")}</label>
                </div>
                <footer class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_done.run(None)>"Cancel"</button>
                    <button type="submit" class="button button-primary">"Save"</button>
                </footer>
            </form>
        </Modal>
    }
}
