//! Admins: every email the back office wrote (activation and reset links, receipts, notices),
//! newest first, by recipient and delivery status, with the text as sent.

use leptos::prelude::*;
use types::outbox::{EmailStatus, OutboxEmail, OutboxFilter};
use types::{query, Page, PageQuery};

use crate::api;
use crate::components::{
    date_time, url_state, Empty, ErrorBox, Latest, Loading, Modal, NotForYou, SearchField,
    TextFilter,
};

fn status_badge(status: EmailStatus) -> impl IntoView {
    let (class, label) = match status {
        EmailStatus::Queued => ("badge badge-warning", "Queued"),
        EmailStatus::Sent => ("badge badge-success", "Sent"),
        EmailStatus::Failed => ("badge badge-danger", "Failed"),
        EmailStatus::Logged => ("badge", "Logged (no SMTP)"),
    };
    view! { <span class=class>{label}</span> }
}

#[component]
pub fn Outbox() -> impl IntoView {
    if crate::session::role() != Some(types::accounts::Role::Admin) {
        return view! {
            <NotForYou
                title="Outbox"
                heading="Only administrators read the outbox"
                why="The emails the back office writes are listed for the administrators of this installation."
            />
        }
        .into_any();
    }
    // Pages load by "Load more", not by number: nothing to keep in the address.
    let to = TextFilter::new("to", RwSignal::new(1));
    let status = url_state("status", String::new());
    let emails = RwSignal::new(Vec::<OutboxEmail>::new());
    let cursor = RwSignal::new(None::<String>);
    let total = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    let reading = RwSignal::new(None::<OutboxEmail>);

    // `more`: the next page of the same search; otherwise the search starts again.
    let latest = Latest::new();
    let load = move |more: bool| {
        loading.set(true);
        error.set(None);
        let filter = OutboxFilter {
            to: query::text(&to.applied.get_untracked().to_lowercase()),
            status: query::parsed(&status.get_untracked()),
        };
        let after = if more { cursor.get_untracked() } else { None };
        let path = query::list_path("outbox", &filter, &PageQuery::after(after, 25));
        let ticket = latest.next();
        leptos::task::spawn_local(async move {
            let answer = api::get::<Page<OutboxEmail>>(&path).await;
            if !latest.is(ticket) {
                return;
            }
            match answer {
                Ok(page) => {
                    total.set(Some(page.total));
                    cursor.set(page.next_cursor);
                    if more {
                        emails.update(|e| e.extend(page.items));
                    } else {
                        emails.set(page.items);
                    }
                }
                Err(e) => error.set(Some(e.message())),
            }
            loading.set(false);
        });
    };
    // A new search whenever the filters change (and the first one now).
    Effect::new(move |_| {
        to.applied.track();
        status.track();
        load(false);
    });
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        to.apply();
    };

    view! {
        <div class="page-head">
            <div>
                <h1>"Outbox"</h1>
                <p class="muted">"Every email the back office wrote: activation and password links, receipts, notices. Without an SMTP server they are only logged, and read here."</p>
            </div>
        </div>
        <form class="card filters" on:submit=search role="search" aria-label="Emails">
            <SearchField label="Recipient" filter=to placeholder="name@example.com"/>
            <label class="field">
                <span>"Status"</span>
                <select name="status" on:change=move |ev| status.set(event_target_value(&ev)) prop:value=move || status.get()>
                    <option value="">"All"</option>
                    {EmailStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.as_str()}</option> }).collect_view()}
                </select>
            </label>
            <button class="button" type="submit">"Search"</button>
        </form>
        {move || error.get().map(|m| view! { <ErrorBox message=m/> })}
        <div class="card">
            {move || match (total.get(), emails.get().is_empty()) {
                (None, _) => view! { <Loading/> }.into_any(),
                (Some(_), true) => view! { <Empty title="No emails" hint="None matches this search."/> }.into_any(),
                (Some(n), false) => view! {
                    <p class="muted small card-note">{format!("{n} emails")}</p>
                    <div class="table-wrap">
                        <table>
                            <thead><tr>
                                <th scope="col">"Written"</th><th scope="col">"To"</th><th scope="col">"Subject"</th>
                                <th scope="col">"Status"</th><th scope="col">"Attempts"</th><th scope="col"><span class="visually-hidden">"Text"</span></th>
                            </tr></thead>
                            <tbody>
                                {emails.get().into_iter().map(|e| {
                                    let label = format!("Read “{}” to {}", e.subject, e.to);
                                    let open = e.clone();
                                    view! {
                                        <tr>
                                            <td class="nowrap">{date_time(&e.created_at)}</td>
                                            <td>{e.to.clone()}</td>
                                            <td>{e.subject.clone()}</td>
                                            <td>{status_badge(e.status)}</td>
                                            <td>{e.attempts}</td>
                                            <td><button class="button button-small" aria-label=label on:click=move |_| reading.set(Some(open.clone()))>"Read"</button></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            }}
            <Show when=move || cursor.get().is_some()>
                <div class="card-foot">
                    <button class="button" disabled=move || loading.get() on:click=move |_| load(true)>"Load more"</button>
                </div>
            </Show>
        </div>
        {move || reading.get().map(|e| view! {
            <Modal title=e.subject.clone() wide=true on_close=move |()| reading.set(None)>
                <div class="modal-body email-read">
                    <p class="muted small">
                        "To " <strong>{e.to.clone()}</strong> " · written " {date_time(&e.created_at)}
                        {e.sent_at.map(|at| format!(" · sent {}", date_time(&at)))}
                    </p>
                    {e.last_error.clone().map(|m| view! { <div class="alert alert-error" role="alert">{format!("Last attempt: {m}")}</div> })}
                    <pre class="email-body">{e.body.clone()}</pre>
                </div>
            </Modal>
        })}
    }
    .into_any()
}
