//! The apps list: filters, add / edit / delete. Partners and admins see whose app it is, and
//! reach a customer's apps with `?owner_id=`.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use types::accounts::{Account, Role};
use types::apps::{App, AppEdition, AppKind, CreateApp, UpdateApp};
use types::{FieldError, Page};
use validator::Validate;

use crate::api::{self, ApiError};
use crate::components::{
    date, field_messages, use_toasts, Confirm, Empty, ErrorBox, Loading, Modal, Pager, Tone,
};
use crate::session;

const PER_PAGE: u32 = 20;

#[derive(Clone)]
enum Dialog {
    None,
    Create,
    Edit(App),
    Delete(App),
}

pub fn kind_label(kind: AppKind) -> &'static str {
    match kind {
        AppKind::Magento => "Magento",
        AppKind::Standalone => "Stand-alone",
    }
}

pub fn edition_label(edition: AppEdition) -> &'static str {
    match edition {
        AppEdition::Basic => "Basic",
        AppEdition::Standard => "Standard",
    }
}

/// The app's icon, or its initial on a coloured tile.
#[component]
pub fn AppIcon(app: App, #[prop(optional)] large: bool) -> impl IntoView {
    let class = if large {
        "app-icon app-icon-large"
    } else {
        "app-icon"
    };
    match app.icon_url {
        Some(url) => view! { <img class=class src=url alt=""/> }.into_any(),
        None => {
            let initial: String = app
                .name
                .chars()
                .next()
                .map(|c| c.to_uppercase().collect())
                .unwrap_or_default();
            view! { <span class=class aria-hidden="true">{initial}</span> }.into_any()
        }
    }
}

#[component]
pub fn Apps() -> impl IntoView {
    let query = use_query_map();
    let role = session::role();
    let manager = role != Some(Role::Customer);
    let owner = RwSignal::new(query.get_untracked().get("owner_id").unwrap_or_default());
    let q = RwSignal::new(String::new());
    let search = RwSignal::new(String::new());
    let kind = RwSignal::new(String::new());
    let edition = RwSignal::new(String::new());
    let page = RwSignal::new(1_u32);
    let version = RwSignal::new(0_u32);
    let dialog = RwSignal::new(Dialog::None);
    let toasts = use_toasts();

    // Who can own an app: partners pick themselves or a customer, admins any customer.
    let owners = LocalResource::new(move || async move {
        if manager {
            api::get::<Page<Account>>("customers?per_page=100&sort=name")
                .await
                .map(|p| p.items)
                .unwrap_or_default()
        } else {
            Vec::new()
        }
    });

    let list = LocalResource::new(move || {
        version.track();
        let mut path = format!("apps?page={}&per_page={PER_PAGE}", page.get());
        let (q, kind, edition, owner) = (q.get(), kind.get(), edition.get(), owner.get());
        if !q.trim().is_empty() {
            path.push_str(&format!("&q={}", api::encode(q.trim())));
        }
        for (name, value) in [("kind", kind), ("edition", edition), ("owner_id", owner)] {
            if !value.is_empty() {
                path.push_str(&format!("&{name}={}", api::encode(&value)));
            }
        }
        async move { api::get::<Page<App>>(&path).await }
    });
    let reload = move || version.update(|v| *v += 1);
    let apply_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        page.set(1);
        q.set(search.get_untracked());
    };
    let delete = move |app: App| {
        leptos::task::spawn_local(async move {
            match api::delete(&format!("apps/{}", app.id)).await {
                Ok(()) => {
                    toasts.show(Tone::Success, format!("{} deleted.", app.name));
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
                <h1>"Apps"</h1>
                <p class="muted">{if manager { "Your apps and your customers' apps." } else { "Your mobile apps: their devices, users and analytics." }}</p>
            </div>
            <button class="button button-primary" on:click=move |_| dialog.set(Dialog::Create)>"New app"</button>
        </div>

        <form class="filters card" role="search" on:submit=apply_search>
            <label class="field grow">
                <span>"App"</span>
                <input type="search" placeholder="Name" bind:value=search/>
            </label>
            <label class="field">
                <span>"Kind"</span>
                <select on:change=move |ev| { page.set(1); kind.set(event_target_value(&ev)); } prop:value=move || kind.get()>
                    <option value="">"All kinds"</option>
                    <option value="magento">"Magento"</option>
                    <option value="standalone">"Stand-alone"</option>
                </select>
            </label>
            <label class="field">
                <span>"Edition"</span>
                <select on:change=move |ev| { page.set(1); edition.set(event_target_value(&ev)); } prop:value=move || edition.get()>
                    <option value="">"All editions"</option>
                    <option value="basic">"Basic"</option>
                    <option value="standard">"Standard"</option>
                </select>
            </label>
            {manager.then(|| view! {
                <label class="field">
                    <span>"Owner"</span>
                    <select on:change=move |ev| { page.set(1); owner.set(event_target_value(&ev)); } prop:value=move || owner.get()>
                        <option value="">"All owners"</option>
                        {(role == Some(Role::Partner)).then(|| session::account().map(|me| view! { <option value=me.id.clone()>"My own apps"</option> }))}
                        {move || owners.get().unwrap_or_default().into_iter().map(|c| {
                            let name = c.company.clone().unwrap_or_else(|| c.email.clone());
                            view! { <option value=c.id.clone()>{name}</option> }
                        }).collect_view()}
                    </select>
                </label>
            })}
            <button class="button" type="submit">"Search"</button>
        </form>

        <div class="card">
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <Empty title="No apps found" hint="Change the filters, or create a new app."/>
                    }.into_any(),
                    Ok(p) => view! {
                        <div class="table-wrap">
                            <table>
                                <thead><tr>
                                    <th scope="col">"App"</th>
                                    <th scope="col">"Kind"</th>
                                    <th scope="col">"Edition"</th>
                                    {manager.then(|| view! { <th scope="col">"Owner"</th> })}
                                    <th scope="col">"Created"</th>
                                    <th scope="col" class="actions-col">"Actions"</th>
                                </tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|app| {
                                        let (for_edit, for_delete) = (app.clone(), app.clone());
                                        let href = format!("/apps/{}", app.id);
                                        let platforms = [app.ios_bundle_id.as_ref().map(|_| "iOS"), app.android_package_name.as_ref().map(|_| "Android")]
                                            .into_iter().flatten().collect::<Vec<_>>().join(" · ");
                                        let name = app.name.clone();
                                        view! {
                                            <tr>
                                                <td><div class="app-name"><AppIcon app=app.clone()/><div><a href=href.clone()>{app.name.clone()}</a><div class="muted small">{platforms}</div></div></div></td>
                                                <td><span class="badge badge-kind">{kind_label(app.kind)}</span></td>
                                                <td><span class="badge badge-edition">{edition_label(app.edition)}</span></td>
                                                {manager.then(|| view! { <td>{app.owner_email.clone()}</td> })}
                                                <td class="nowrap">{date(&app.created_at)}</td>
                                                <td class="actions">
                                                    <a class="button button-small" href=href aria-label=format!("Open {name}")>"Open"</a>
                                                    <button class="button button-small" aria-label=format!("Edit {name}") on:click=move |_| dialog.set(Dialog::Edit(for_edit.clone()))>"Edit"</button>
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
            let done = Callback::new(move |saved: Option<(App, bool)>| {
                if let Some((app, created)) = saved {
                    toasts.show(Tone::Success, format!("{} {}.", app.name, if created { "created" } else { "saved" }));
                    reload();
                }
                dialog.set(Dialog::None);
            });
            match dialog.get() {
                Dialog::None => ().into_any(),
                Dialog::Create => view! { <AppForm app=None owners=owners.get().unwrap_or_default() on_done=done/> }.into_any(),
                Dialog::Edit(app) => view! { <AppForm app=Some(app) owners=Vec::new() on_done=done/> }.into_any(),
                Dialog::Delete(app) => view! {
                    <Confirm
                        title="Delete app?".to_owned()
                        message=format!("{} will be deleted for good, with its devices, analytics and mobile users. The app stops working with its key.", app.name)
                        confirm_label="Delete".to_owned()
                        on_confirm=Callback::new(move |_| delete(app.clone()))
                        on_cancel=Callback::new(move |_| dialog.set(Dialog::None))
                    />
                }.into_any(),
            }
        }}
    }
}

/// Create (no `app`) or edit an app, checked in the browser with the API's rules.
#[component]
pub fn AppForm(
    app: Option<App>,
    owners: Vec<Account>,
    on_done: Callback<Option<(App, bool)>>,
) -> impl IntoView {
    let role = session::role();
    let editing = app.clone();
    let text =
        |f: fn(&App) -> Option<String>| RwSignal::new(app.as_ref().and_then(f).unwrap_or_default());
    let name = text(|a| Some(a.name.clone()));
    let store_url = text(|a| a.store_url.clone());
    let icon_url = text(|a| a.icon_url.clone());
    let ios = text(|a| a.ios_bundle_id.clone());
    let android = text(|a| a.android_package_name.clone());
    let kind = RwSignal::new(
        app.as_ref()
            .map_or("standalone", |a| a.kind.as_str())
            .to_owned(),
    );
    let edition = RwSignal::new(
        app.as_ref()
            .map_or("basic", |a| a.edition.as_str())
            .to_owned(),
    );
    let owner = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let failure = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let opt =
        |s: RwSignal<String>| Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty());
    let show_api_error = move |e: ApiError| {
        if e.field_errors().is_empty() {
            failure.set(Some(e.message()));
        } else {
            errors.set(e.field_errors().to_vec());
        }
    };

    let editing_for_submit = editing.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        errors.set(Vec::new());
        failure.set(None);
        let kind_value: AppKind = kind.get_untracked().parse().unwrap_or(AppKind::Standalone);
        let edition_value: AppEdition =
            edition.get_untracked().parse().unwrap_or(AppEdition::Basic);
        let magento_without_store = kind_value == AppKind::Magento && opt(store_url).is_none();
        let body = match &editing_for_submit {
            None => {
                let b = CreateApp {
                    name: name.get_untracked(),
                    kind: kind_value,
                    edition: edition_value,
                    owner_id: opt(owner),
                    store_url: opt(store_url),
                    icon_url: opt(icon_url),
                    ios_bundle_id: opt(ios),
                    android_package_name: opt(android),
                };
                b.validate().map(|()| serde_json::to_value(b).ok())
            }
            Some(_) => {
                let b = UpdateApp {
                    name: Some(name.get_untracked()),
                    edition: Some(edition_value),
                    store_url: Some(opt(store_url)),
                    icon_url: Some(opt(icon_url)),
                    ios_bundle_id: Some(opt(ios)),
                    android_package_name: Some(opt(android)),
                };
                b.validate().map(|()| serde_json::to_value(b).ok())
            }
        };
        let mut found = match &body {
            Ok(_) => Vec::new(),
            Err(e) => types::problem::field_errors(e),
        };
        if magento_without_store {
            found.push(FieldError {
                field: "store_url".into(),
                message: "is required for magento apps".into(),
            });
        }
        if !found.is_empty() {
            errors.set(found);
            return;
        }
        let Ok(Some(body)) = body else { return };
        busy.set(true);
        let current = editing_for_submit.clone();
        leptos::task::spawn_local(async move {
            let result = match current {
                None => api::post::<App>("apps", &body).await.map(|a| (a, true)),
                Some(current) => {
                    let path = format!("apps/{}", current.id);
                    match api::call::<App>("GET", &path, None::<&()>, &[]).await {
                        Ok(fresh) => {
                            let etag = fresh.etag.unwrap_or_default();
                            api::call::<App>("PATCH", &path, Some(&body), &[("If-Match", &etag)])
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
                .map(|m| view! { <span class="field-error">{m}</span> })
        }
    };
    let creating = editing.is_none();
    view! {
        <Modal title=if creating { "New app".to_owned() } else { "Edit app".to_owned() } on_close=Callback::new(move |_| on_done.run(None))>
            <form class="form" on:submit=submit novalidate>
                {move || failure.get().map(|m| view! { <ErrorBox message=m/> })}
                <div class="form-grid">
                    <label class="field span-2">
                        <span>"Name" <abbr title="required">"*"</abbr></span>
                        <input name="name" required bind:value=name/>
                        {error_of("name")}
                    </label>
                    <label class="field">
                        <span>"Kind"</span>
                        <select name="kind" disabled=!creating on:change=move |ev| kind.set(event_target_value(&ev)) prop:value=move || kind.get()>
                            <option value="standalone">"Stand-alone"</option>
                            <option value="magento">"Magento"</option>
                        </select>
                    </label>
                    <label class="field">
                        <span>"Edition"</span>
                        <select name="edition" on:change=move |ev| edition.set(event_target_value(&ev)) prop:value=move || edition.get()>
                            <option value="basic">"Basic"</option>
                            <option value="standard">"Standard (orders, quote requests)"</option>
                        </select>
                    </label>
                    <label class="field span-2">
                        <span>{move || if kind.get() == "magento" { "Magento store URL *" } else { "Web shop URL (optional)" }}</span>
                        <input type="url" name="store_url" placeholder="https://shop.example" bind:value=store_url/>
                        {error_of("store_url")}
                    </label>
                    <label class="field">
                        <span>"iOS bundle id"</span>
                        <input name="ios_bundle_id" placeholder="com.example.shop" bind:value=ios/>
                        {error_of("ios_bundle_id")}
                    </label>
                    <label class="field">
                        <span>"Android package name"</span>
                        <input name="android_package_name" placeholder="com.example.shop" bind:value=android/>
                        {error_of("android_package_name")}
                    </label>
                    <label class="field span-2">
                        <span>"Icon URL"</span>
                        <input type="url" name="icon_url" placeholder="https://cdn.example/icon.png" bind:value=icon_url/>
                        {error_of("icon_url")}
                    </label>
                    {(creating && role != Some(Role::Customer)).then(|| view! {
                        <label class="field span-2">
                            <span>"Owner" {(role == Some(Role::Admin)).then(|| view! { <abbr title="required">"*"</abbr> })}</span>
                            <select name="owner_id" on:change=move |ev| owner.set(event_target_value(&ev)) prop:value=move || owner.get()>
                                {(role == Some(Role::Partner)).then(|| view! { <option value="">"Me (my own app)"</option> })}
                                {(role == Some(Role::Admin)).then(|| view! { <option value="">"Choose a customer"</option> })}
                                {owners.iter().map(|c| {
                                    let label = format!("{} ({})", c.company.clone().unwrap_or_else(|| format!("{} {}", c.first_name, c.last_name)), c.email);
                                    view! { <option value=c.id.clone()>{label}</option> }
                                }).collect_view()}
                            </select>
                            {error_of("owner_id")}
                        </label>
                    })}
                </div>
                <p class="muted small">{if creating {
                    "The kind cannot change later. The app gets a public key for the SDK when it is created."
                } else {
                    "The kind and the owner of an app cannot change."
                }}</p>
                <footer class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_done.run(None)>"Cancel"</button>
                    <button type="submit" class="button button-primary" disabled=move || busy.get()>{if creating { "Create app" } else { "Save" }}</button>
                </footer>
            </form>
        </Modal>
    }
}
