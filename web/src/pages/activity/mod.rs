//! The audit log as the signed-in account may read it, newest first, loaded by keyset: each event
//! in words ("Created partner Mobile First Studio"), its subject by name with a link, who acted
//! (and who was behind them during "log in as"), in the viewer's time zone, with filters kept in
//! the address.

use leptos::prelude::*;
use types::accounts::Role;
use types::audit::{AuditEvent, AuditFilter};
use types::{query, Page, PageQuery};

use crate::api;
use crate::components::{date_time, url_state, Empty, ErrorBox, Latest, Loading, RANGE_BACKWARDS};
use crate::session;

mod words;
use words::*;

/// Every action the back office records, in words: the filter's choices and the sentences.

#[component]
pub fn Activity() -> impl IntoView {
    let me = session::account();
    let role = me.as_ref().map(|a| a.role);
    let my_id = me.map(|a| a.id).unwrap_or_default();
    let who = url_state("actor_id", String::new());
    let action = url_state("action", String::new());
    let subject = url_state("subject_type", String::new());
    let (from, to) = (
        url_state("from", String::new()),
        url_state("to", String::new()),
    );

    let events = RwSignal::new(Vec::<AuditEvent>::new());
    let cursor = RwSignal::new(None::<String>);
    let total = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);

    // The people a manager may ask about: their customers (and, for admins, the partners).
    let people = LocalResource::new(move || async move {
        let mut found = Vec::new();
        let lists: &[&str] = match role {
            Some(Role::Admin) => &["partners", "customers"],
            Some(Role::Partner) => &["customers"],
            _ => &[],
        };
        for list in lists {
            found.extend(api::accounts_by_name(list).await);
        }
        found
    });

    // `more`: the next page of the same filters; otherwise the list starts again.
    let latest = Latest::new();
    let load = move |more: bool| {
        error.set(None);
        let (f, t) = (from.get_untracked(), to.get_untracked());
        if !f.is_empty() && !t.is_empty() && f > t {
            latest.next(); // no answer still on its way may fill the list
            error.set(Some(RANGE_BACKWARDS.into()));
            events.set(Vec::new());
            total.set(Some(0));
            cursor.set(None);
            return;
        }
        let filter = AuditFilter {
            actor_id: query::text(&who.get_untracked()),
            action: query::text(&action.get_untracked()),
            subject_type: query::text(&subject.get_untracked()),
            subject_id: None,
            from: local_day_start(&f, false),
            to: local_day_start(&t, true),
        };
        let after = if more { cursor.get_untracked() } else { None };
        let path = query::list_path("audit-events", &filter, &PageQuery::after(after, 25));
        loading.set(true);
        let ticket = latest.next();
        leptos::task::spawn_local(async move {
            let answer = api::get::<Page<AuditEvent>>(&path).await;
            if !latest.is(ticket) {
                return;
            }
            match answer {
                Ok(page) => {
                    total.set(Some(page.total));
                    cursor.set(page.next_cursor);
                    if more {
                        events.update(|e| e.extend(page.items));
                    } else {
                        events.set(page.items);
                    }
                }
                Err(e) => error.set(Some(e.message())),
            }
            loading.set(false);
        });
    };
    // A new list whenever a filter changes (and the first one now).
    Effect::new(move |_| {
        for filter in [who, action, subject, from, to] {
            filter.track();
        }
        load(false);
    });
    let pick = move |filter: RwSignal<String>| move |ev| filter.set(event_target_value(&ev));
    // Another kind of subject: an action chosen for the former kind no longer applies.
    let pick_subject = move |ev| {
        let kind = event_target_value(&ev);
        let prefix = format!("{kind}.");
        if !kind.is_empty() && !action.get_untracked().starts_with(&prefix) {
            action.set(String::new());
        }
        subject.set(kind);
    };

    view! {
        <div class="page-head">
            <div>
                <h1>"Activity"</h1>
                <p class="muted">"Every change made in this back office, with who made it. Times are in your time zone."</p>
            </div>
        </div>
        <form class="filters card" role="search" aria-label="Activity" on:submit=|ev| ev.prevent_default()>
            {(role != Some(Role::Customer)).then(|| view! {
                <label class="field">
                    <span>"Who"</span>
                    <select on:change=pick(who) prop:value=move || who.get()>
                        <option value="">"Anyone"</option>
                        <option value=my_id.clone()>"You"</option>
                        {move || people.get().unwrap_or_default().into_iter().map(|a| {
                            let name = crate::pages::accounts::display_name(&a);
                            view! { <option value=a.id.clone()>{name}</option> }
                        }).collect_view()}
                    </select>
                </label>
            })}
            <label class="field">
                <span>"About"</span>
                <select on:change=pick_subject prop:value=move || subject.get()>
                    {SUBJECTS.iter().map(|(v, label)| view! { <option value=*v>{*label}</option> }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>"Action"</span>
                <select on:change=pick(action) prop:value=move || action.get()>
                    <option value="">"Any action"</option>
                    {move || {
                        let kind = subject.get();
                        ACTIONS.iter()
                            .filter(|(a, _)| kind.is_empty() || a.split('.').next() == Some(kind.as_str()))
                            .map(|(a, words)| view! { <option value=*a>{words.trim_end_matches(':')}</option> })
                            .collect_view()
                    }}
                </select>
            </label>
            <label class="field">
                <span>"From"</span>
                <input type="date" prop:value=move || from.get() on:change=pick(from)/>
            </label>
            <label class="field">
                <span>"To"</span>
                <input type="date" prop:value=move || to.get() on:change=pick(to)/>
            </label>
        </form>
        {move || error.get().map(|m| view! { <ErrorBox message=m/> })}
        <div class="card">
            {move || match (total.get(), events.get().is_empty()) {
                (None, _) => view! { <Loading/> }.into_any(),
                (Some(_), true) => view! { <Empty title="No activity found" hint="Changes will show up here; or change the filters."/> }.into_any(),
                (Some(_), false) => view! { <EventTable events=events.get()/> }.into_any(),
            }}
            <Show when=move || cursor.get().is_some()>
                <div class="card-foot">
                    <button class="button" disabled=move || loading.get() on:click=move |_| load(true)>"Load more"</button>
                </div>
            </Show>
        </div>
    }
}

/// Who acted: their name (or email), and during "log in as" the partner or admin behind them.
fn who_acted(e: &AuditEvent, my_id: &str) -> impl IntoView {
    let actor = if e.actor_id.as_deref() == Some(my_id) {
        "You".to_owned()
    } else {
        e.actor_name
            .clone()
            .or_else(|| e.actor_email.clone())
            .unwrap_or_else(|| "The system".into())
    };
    let email = e.actor_email.clone().filter(|_| e.actor_name.is_some());
    match e.impersonator_id.as_deref() {
        Some(behind) => {
            let by = if behind == my_id {
                "You".to_owned()
            } else {
                e.impersonator_name
                    .clone()
                    .or_else(|| e.impersonator_email.clone())
                    .unwrap_or_else(|| "A partner".into())
            };
            let as_whom = if actor == "You" {
                "you".to_owned()
            } else {
                actor
            };
            view! {
                <strong>{by}</strong>
                <div class="muted small">{format!("logged in as {as_whom}")}</div>
            }
            .into_any()
        }
        None => view! {
            <strong>{actor}</strong>
            {email.map(|m| view! { <div class="muted small">{m}</div> })}
        }
        .into_any(),
    }
}

#[component]
pub fn EventTable(events: Vec<AuditEvent>) -> impl IntoView {
    let role = session::role();
    let my_id = session::account().map(|a| a.id).unwrap_or_default();
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr><th scope="col">"What"</th><th scope="col">"Who"</th><th scope="col">"When"</th><th scope="col">"IP"</th></tr></thead>
                <tbody>
                    {events.into_iter().map(|e| {
                        let words = action_words(&e.action);
                        let name = e.subject_name.clone().or_else(|| {
                            // A kind without a name (a session) says nothing more; others their id.
                            (e.subject_type != "session")
                                .then(|| e.subject_id.clone().map(|id| format!("#{id}")))
                                .flatten()
                        });
                        let subject = name.map(|n| match subject_link(&e, role) {
                            Some(href) => view! { " " <a href=href>{n}</a> }.into_any(),
                            None => view! { " " <strong>{n}</strong> }.into_any(),
                        });
                        view! {
                            <tr>
                                <td>{words}{subject}<div class="muted small"><code>{e.action.clone()}</code></div></td>
                                <td>{who_acted(&e, &my_id)}</td>
                                <td class="nowrap">{date_time(&e.created_at)}</td>
                                <td class="muted">{e.ip.clone().unwrap_or_default()}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
