//! "Manage Mobile Users" of a stand-alone app: search, add, edit, block / unblock, delete,
//! export. Magento apps keep their users in the Magento store, and the tab says so.

use leptos::prelude::*;
use types::apps::{App, AppKind};
use types::mobile_users::{
    CreateMobileUser, MobileUser, MobileUserFilter, MobileUserStatus, UpdateMobileUser,
};
use types::{query, Page, PageQuery};

use crate::api;
use crate::components::{
    date, url_page, url_state, use_toasts, Confirm, EditSession, Empty, ErrorBox, FilterSelect,
    FormAlerts, FormState, Loading, Modal, Pager, SearchField, TextField, TextFilter, Tone,
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
    let page = url_page();
    let q = TextFilter::new("q", page);
    let status = url_state("status", String::new());
    let version = RwSignal::new(0_u32);
    let dialog = RwSignal::new(Dialog::None);
    let toasts = use_toasts();
    let filter = move || MobileUserFilter {
        q: query::text(&q.applied.get()),
        status: query::parsed(&status.get()),
    };
    let list_base = base.clone();
    let list = LocalResource::new(move || {
        version.track();
        let page = PageQuery::numbered(page.get(), PER_PAGE);
        let path = query::list_path(&list_base, &filter(), &page);
        async move { api::get::<Page<MobileUser>>(&path).await }
    });
    let reload = move || version.update(|v| *v += 1);
    let apply_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        q.apply();
    };
    let export_base = base.clone();
    let export_app = app_id.clone();
    let export = move |_| {
        let path = query::path_with(&format!("{export_base}/export"), &filter());
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
            <SearchField label="Mobile user" filter=q placeholder="Name or email"/>
            <FilterSelect label="Status" value=status page=page
                options=&[("", "All"), ("active", "Active"), ("blocked", "Blocked")]/>
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

/// Add (no `user`) or edit a mobile user. An edit reads the user when the form opens and saves
/// with its `ETag`.
#[component]
fn UserForm(
    base: String,
    user: Option<MobileUser>,
    on_done: Callback<Option<MobileUser>>,
) -> impl IntoView {
    let text = || RwSignal::new(String::new());
    let (email, first_name, last_name, phone) = (text(), text(), text(), text());
    let fill = move |u: &MobileUser| {
        email.set(u.email.clone());
        first_name.set(u.first_name.clone());
        last_name.set(u.last_name.clone());
        phone.set(u.phone.clone().unwrap_or_default());
    };
    let form = FormState::new();
    let current = RwSignal::new(user.clone());
    let session = user
        .as_ref()
        .map(|u| EditSession::new(format!("{base}/{}", u.id)));
    let load = move || {
        if let Some(session) = session {
            session.load(form, move |fresh: MobileUser| {
                fill(&fresh);
                current.set(Some(fresh));
            });
        }
    };
    if let Some(u) = &user {
        fill(u);
    }
    load();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let phone_value = Some(phone.get_untracked().trim().to_owned()).filter(|p| !p.is_empty());
        let body = match current.get_untracked() {
            None => {
                let b = CreateMobileUser {
                    email: email.get_untracked().trim().to_owned(),
                    first_name: first_name.get_untracked(),
                    last_name: last_name.get_untracked(),
                    phone: phone_value,
                };
                form.check(&b)
                    .then(|| serde_json::to_value(b).ok())
                    .flatten()
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
                form.check(&b)
                    .then(|| serde_json::to_value(b).ok())
                    .flatten()
            }
        };
        let Some(body) = body else { return };
        form.busy.set(true);
        let base = base.clone();
        leptos::task::spawn_local(async move {
            let result = match session {
                None => api::post::<MobileUser>(&base, &body).await,
                Some(session) => session.save::<MobileUser>(&body).await,
            };
            match result {
                Ok(saved) => on_done.run(Some(saved)),
                Err(e) => form.show(&e),
            }
            form.busy.set(false);
        });
    };
    let loading = move || session.is_some_and(|s| s.loading.get());
    view! {
        <Modal title=if user.is_some() { "Edit mobile user".to_owned() } else { "Add mobile user".to_owned() } on_close=Callback::new(move |_| on_done.run(None))>
            <form class="form" on:submit=submit novalidate aria-busy=move || loading().to_string()>
                <FormAlerts form=form on_reload=Callback::new(move |_| load())/>
                <div class="form-grid">
                    <TextField form=form label="Email" name="email" kind="email" value=email required=true wide=true/>
                    <TextField form=form label="First name" name="first_name" value=first_name required=true/>
                    <TextField form=form label="Last name" name="last_name" value=last_name required=true/>
                    <TextField form=form label="Phone" name="phone" kind="tel" value=phone wide=true/>
                </div>
                <footer class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_done.run(None)>"Cancel"</button>
                    <button type="submit" class="button button-primary" disabled=move || form.busy.get() || loading()>"Save"</button>
                </footer>
            </form>
        </Modal>
    }
}
