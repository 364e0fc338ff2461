//! The apps list: filters, add / edit / delete. Partners and admins see whose app it is, and
//! reach a customer's apps with `?owner_id=`.

use leptos::prelude::*;
use types::accounts::Role;
use types::apps::{App, AppFilter};
use types::{query, Page, PageQuery};

use crate::api;
use crate::components::{
    date, edition_label, kind_label, url_page, url_state, use_toasts, AppIcon, Confirm, Empty,
    ErrorBox, FilterSelect, Loading, Pager, RowMenu, SearchField, TextFilter, Tone,
};
use crate::session;

mod form;

use form::AppForm;

const PER_PAGE: u32 = 20;

#[derive(Clone)]
enum Dialog {
    None,
    Create,
    Edit(App),
    Delete(App),
}

#[component]
pub fn Apps() -> impl IntoView {
    let role = session::role();
    let manager = role != Some(Role::Customer);
    let page = url_page();
    let owner = url_state("owner_id", String::new());
    let q = TextFilter::new("q", page);
    let kind = url_state("kind", String::new());
    let edition = url_state("edition", String::new());
    let version = RwSignal::new(0_u32);
    let dialog = RwSignal::new(Dialog::None);
    let toasts = use_toasts();

    // Who can own an app: partners pick themselves or a customer, admins any customer.
    let owners = LocalResource::new(move || async move {
        if manager {
            api::accounts_by_name("customers").await
        } else {
            Vec::new()
        }
    });

    let list = LocalResource::new(move || {
        version.track();
        let filter = AppFilter {
            q: query::text(&q.applied.get()),
            kind: query::parsed(&kind.get()),
            edition: query::parsed(&edition.get()),
            owner_id: query::text(&owner.get()),
            sort: None,
        };
        let path = query::list_path("apps", &filter, &PageQuery::numbered(page.get(), PER_PAGE));
        async move { api::get::<Page<App>>(&path).await }
    });
    let reload = move || version.update(|v| *v += 1);
    let apply_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        q.apply();
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
            <SearchField label="App" filter=q placeholder="Name"/>
            <FilterSelect label="Kind" value=kind page=page
                options=&[("", "All kinds"), ("magento", "Magento"), ("standalone", "Stand-alone")]/>
            <FilterSelect label="Edition" value=edition page=page
                options=&[("", "All editions"), ("basic", "Basic"), ("standard", "Standard")]/>
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
                                                    <RowMenu of=name.clone()>
                                                        <button class="menu-item menu-item-danger" role="menuitem" on:click={let a = for_delete.clone(); move |_| dialog.set(Dialog::Delete(a.clone()))}>"Delete"</button>
                                                    </RowMenu>
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
