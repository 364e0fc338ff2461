//! The audit log as the signed-in account may read it, newest first, loaded by keyset.

use leptos::prelude::*;
use types::audit::AuditEvent;
use types::Page;

use crate::api;
use crate::components::{date_time, Empty, ErrorBox, Loading};

#[component]
pub fn Activity() -> impl IntoView {
    let events = RwSignal::new(Vec::<AuditEvent>::new());
    let cursor = RwSignal::new(None::<String>);
    let total = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);

    let load_more = move || {
        loading.set(true);
        let after = cursor.get_untracked();
        leptos::task::spawn_local(async move {
            let path = match after {
                Some(c) => format!("audit-events?per_page=25&cursor={c}"),
                None => "audit-events?per_page=25".to_owned(),
            };
            match api::get::<Page<AuditEvent>>(&path).await {
                Ok(page) => {
                    total.set(Some(page.total));
                    cursor.set(page.next_cursor);
                    events.update(|e| e.extend(page.items));
                }
                Err(e) => error.set(Some(e.message())),
            }
            loading.set(false);
        });
    };
    load_more();

    view! {
        <div class="page-head">
            <div>
                <h1>"Activity"</h1>
                <p class="muted">"Every change made in this back office, with who made it."</p>
            </div>
        </div>
        {move || error.get().map(|m| view! { <ErrorBox message=m/> })}
        <div class="card">
            {move || match (total.get(), events.get().is_empty()) {
                (None, _) => view! { <Loading/> }.into_any(),
                (Some(_), true) => view! { <Empty title="No activity yet" hint="Changes will show up here."/> }.into_any(),
                (Some(_), false) => view! { <EventTable events=events.get()/> }.into_any(),
            }}
            <Show when=move || cursor.get().is_some()>
                <div class="card-foot">
                    <button class="button" disabled=move || loading.get() on:click=move |_| load_more()>"Load more"</button>
                </div>
            </Show>
        </div>
    }
}

#[component]
pub fn EventTable(events: Vec<AuditEvent>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"Action"</th><th scope="col">"Subject"</th><th scope="col">"IP"</th></tr></thead>
                <tbody>
                    {events.into_iter().map(|e| view! {
                        <tr>
                            <td class="nowrap">{date_time(&e.created_at)}</td>
                            <td>{e.actor_email.clone().unwrap_or_else(|| "system".into())}</td>
                            <td><code>{e.action.clone()}</code></td>
                            <td>{format!("{} {}", e.subject_type, e.subject_id.clone().unwrap_or_default())}</td>
                            <td class="muted">{e.ip.clone().unwrap_or_default()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
