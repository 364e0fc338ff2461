//! The Publishing page (the administrators' review queue; others see their apps' requests) and
//! the dashboard's notice of requests waiting too long.

use leptos::prelude::*;
use types::publishing::{PublishFilter, PublishRequest, PublishStatus, ReviewPublishRequest};
use types::{query, Page, PageQuery};

use super::wizard::text;
use super::{status_badge, version, PER_PAGE};
use crate::api;
use crate::components::{
    date_time, url_page, url_state, use_toasts, Empty, ErrorBox, FilterSelect, FormAlerts,
    FormState, ListAlert, Loading, Modal, Pager, TextField, Tone,
};

/// The Publishing page: the review queue for administrators (who move requests along), the
/// requests of their apps for others.
#[component]
pub fn Publishing() -> impl IntoView {
    let admin = crate::session::account().is_some_and(|a| a.role == types::accounts::Role::Admin);
    let page = url_page();
    let status = url_state("status", String::new());
    let store = url_state("store", String::new());
    let overdue = url_state("overdue", String::new());
    let reload = RwSignal::new(0_u32);
    let list = LocalResource::new(move || {
        reload.track();
        let filter = PublishFilter {
            status: query::parsed(&status.get()),
            store: query::parsed(&store.get()),
            overdue: query::parsed(&overdue.get()),
            ..PublishFilter::default()
        };
        let page = PageQuery::numbered(page.get(), PER_PAGE);
        let path = query::list_path("publish-requests", &filter, &page);
        async move { api::get::<Page<PublishRequest>>(&path).await }
    });
    let rejecting = RwSignal::new(None::<PublishRequest>);
    view! {
        <div class="page-head"><h1>{if admin { "Publishing queue" } else { "Publishing" }}</h1></div>
        <section class="card" aria-labelledby="queue-title">
            <div class="card-head">
                <h2 id="queue-title" class="visually-hidden">"Publish requests"</h2>
                <div class="filters">
                    <FilterSelect label="Status" value=status page=page options=&[("", "All"), ("submitted", "Submitted"),
                        ("in_review", "In review"), ("published", "Published"), ("rejected", "Rejected"), ("draft", "Draft"), ("canceled", "Canceled")]/>
                    <FilterSelect label="Store" value=store page=page options=&[("", "Both"), ("app_store", "App Store"), ("google_play", "Google Play")]/>
                    <FilterSelect label="Waiting" value=overdue page=page options=&[("", "Any time"), ("true", "Too long")]/>
                </div>
            </div>
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <Empty title="No publish requests" hint="Requests appear here once an app asks to be published."/>
                    }.into_any(),
                    Ok(p) => view! {
                        <div class="table-wrap"><table>
                            <thead><tr><th scope="col">"App"</th><th scope="col">"Store"</th><th scope="col">"Version"</th>
                                <th scope="col">"Status"</th><th scope="col">"Submitted"</th>
                                {admin.then(|| view! { <th scope="col" class="actions-col">"Actions"</th> })}</tr></thead>
                            <tbody>{p.items.into_iter().map(|r| {
                                let moves: &[(PublishStatus, &str)] = match r.status {
                                    PublishStatus::Submitted => &[(PublishStatus::InReview, "Start review"), (PublishStatus::Rejected, "Reject")],
                                    PublishStatus::InReview => &[(PublishStatus::Published, "Publish"), (PublishStatus::Rejected, "Reject")],
                                    _ => &[],
                                };
                                let row = StoredValue::new(r.clone());
                                view! { <tr class:row-alert=r.overdue>
                                    <td><a href=format!("/apps/{}/publish", r.app_id)>{r.app_name.clone()}</a></td>
                                    <td>{r.store.label()}</td>
                                    <td class="nowrap">{version(&r)}</td>
                                    <td>{status_badge(r.status)}{r.overdue.then(|| view! { <span class="badge badge-danger">"Waiting too long"</span> })}</td>
                                    <td class="nowrap">{r.submitted_at.as_ref().map(date_time).unwrap_or_default()}</td>
                                    {admin.then(|| view! { <td class="actions">{moves.iter().map(|&(to, label)| view! {
                                        <button class="button button-small" type="button" on:click=move |_| {
                                            if to == PublishStatus::Rejected {
                                                rejecting.set(Some(row.get_value()));
                                            } else {
                                                review(row.get_value(), to, None, reload);
                                            }
                                        }>{label}</button>
                                    }).collect_view()}</td> })}
                                </tr> }
                            }).collect_view()}</tbody>
                        </table></div>
                        <Pager page=page per_page=PER_PAGE total=p.total/>
                    }.into_any(),
                })}
            </Transition>
        </section>
        {move || rejecting.get().map(|r| view! { <RejectDialog request=r on_close=Callback::new(move |done: bool| {
            rejecting.set(None);
            if done { reload.update(|n| *n += 1) }
        })/> })}
    }
}

fn review(r: PublishRequest, to: PublishStatus, note: Option<String>, reload: RwSignal<u32>) {
    let toasts = use_toasts();
    leptos::task::spawn_local(async move {
        let body = ReviewPublishRequest { status: to, note };
        match api::call::<PublishRequest>(
            "PATCH",
            &format!("publish-requests/{}", r.id),
            Some(&body),
            &[],
        )
        .await
        {
            Ok(_) => {
                toasts.show(
                    Tone::Success,
                    format!(
                        "{} {}: {}.",
                        r.app_name,
                        r.version_name,
                        to.label().to_lowercase()
                    ),
                );
                reload.update(|n| *n += 1);
            }
            Err(e) => toasts.show(Tone::Error, e.message()),
        }
    });
}

#[component]
fn RejectDialog(request: PublishRequest, on_close: Callback<bool>) -> impl IntoView {
    let form = FormState::new();
    let note = RwSignal::new(String::new());
    let toasts = use_toasts();
    let r = StoredValue::new(request.clone());
    let reject = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let body = ReviewPublishRequest {
            status: PublishStatus::Rejected,
            note: text(note),
        };
        if body.note.is_none() {
            form.errors.set(vec![types::FieldError {
                field: "note".into(),
                message: "Give the store's reason.".into(),
            }]);
            return;
        }
        leptos::task::spawn_local(async move {
            let path = format!("publish-requests/{}", r.get_value().id);
            match api::call::<PublishRequest>("PATCH", &path, Some(&body), &[]).await {
                Ok(_) => {
                    toasts.show(Tone::Success, "Rejected; the owner is told why.");
                    on_close.run(true);
                }
                Err(e) => form.show(&e),
            }
        });
    };
    view! {
        <Modal title=format!("Reject {} {}", request.app_name, version(&request)) on_close=Callback::new(move |()| on_close.run(false))>
            <form class="form" novalidate on:submit=reject>
                <FormAlerts form=form/>
                <TextField form=form label="The store's reason" name="note" value=note required=true wide=true maxlength=2000/>
                <footer class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_close.run(false)>"Cancel"</button>
                    <button type="submit" class="button button-danger">"Reject"</button>
                </footer>
            </form>
        </Modal>
    }
}

/// The dashboard's notice of requests waiting at the stores longer than the alert time.
#[component]
pub fn WaitingTooLong() -> impl IntoView {
    let list = LocalResource::new(|| async {
        api::get::<Page<PublishRequest>>("publish-requests?overdue=true&per_page=5").await
    });
    move || {
        list.get().and_then(Result::ok).map(|p| {
            let links = p.items.into_iter().map(|r| {
                (Some(format!("/apps/{}/publish", r.app_id)), format!("{} on {}", r.app_name, r.store.label()))
            }).collect();
            view! { <ListAlert id="waiting-title" count=p.total what=("publish request waiting too long", "publish requests waiting too long") lead=" — the store has not answered: "
                links=links all=("/publishing?overdue=true", "See the queue")/> }
        })
    }
}
