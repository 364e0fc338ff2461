//! "Publish app": an app's Publish tab (what is live and waiting on each store, the requests
//! with their timelines, and the wizard the product follows: stores → listing → billing → terms
//! → submit), the Publishing page (the administrators' review queue; others see their apps'
//! requests) and the dashboard's notice of requests waiting too long.

mod queue;
mod wizard;

use leptos::prelude::*;
use types::publishing::{
    AppPublishing, Asset, CancelPublishRequest, PublishRequest, PublishStatus,
};
use types::{query, Page, PageQuery};

pub use queue::{Publishing, WaitingTooLong};
use wizard::Wizard;

use crate::api;
use crate::components::{date, date_time, use_toasts, Empty, ErrorBox, Loading, Pager, Tone};

const PER_PAGE: u32 = 20;

pub fn status_badge(status: PublishStatus) -> impl IntoView {
    let tone = match status {
        PublishStatus::Published => "badge-success",
        PublishStatus::Submitted | PublishStatus::InReview => "badge-warning",
        PublishStatus::Rejected => "badge-danger",
        PublishStatus::Draft | PublishStatus::Canceled => "badge-kind",
    };
    view! { <span class=format!("badge {tone}")>{status.label()}</span> }
}

pub(super) fn version(r: &PublishRequest) -> String {
    format!("{} ({})", r.version_name, r.build_number)
}

/// An uploaded image, read with the session (an `<img>` cannot send it).
#[component]
pub(super) fn Thumb(app_id: String, asset: Asset) -> impl IntoView {
    let path = format!("apps/{app_id}/assets/{}/content", asset.id);
    let url = LocalResource::new(move || {
        let path = path.clone();
        async move { api::object_url(&path).await.ok() }
    });
    let alt = format!(
        "{} {}×{}",
        asset
            .file_name
            .clone()
            .unwrap_or_else(|| asset.kind.as_str().to_owned()),
        asset.width,
        asset.height
    );
    move || {
        url.get().flatten().map(|src| {
            let alt = alt.clone();
            view! { <img class="thumb" src=src alt=alt/> }
        })
    }
}

/// An app's Publish tab.
#[component]
pub fn PublishTab(app_id: String) -> impl IntoView {
    let reload = RwSignal::new(0_u32);
    let app = StoredValue::new(app_id);
    let status = LocalResource::new(move || {
        reload.track();
        let path = format!("apps/{}/publishing", app.get_value());
        async move { api::get::<AppPublishing>(&path).await }
    });
    let page = crate::components::url_page();
    let requests = LocalResource::new(move || {
        reload.track();
        let path = query::path_with(
            &format!("apps/{}/publish-requests", app.get_value()),
            &PageQuery::numbered(page.get(), PER_PAGE),
        );
        async move { api::get::<Page<PublishRequest>>(&path).await }
    });
    // The wizard: closed, a new request, or a draft / rejected one to complete.
    let wizard = RwSignal::new(None::<Option<PublishRequest>>);
    let changed = Callback::new(move |()| {
        wizard.set(None);
        reload.update(|n| *n += 1);
    });
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || status.get().map(|result| match result {
                Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                Ok(s) => view! {
                    {(!s.can_submit).then(|| view! {
                        <section class="alert" role="status">
                            "Publishing needs an active subscription for this app. "
                            <a href=format!("/apps/{}/billing", app.get_value())>"Subscribe or pay in Billing"</a>
                        </section>
                    })}
                    <div class="grid-2 section-gap">
                        {s.stores.iter().map(|st| view! {
                            <section class="card pad" aria-label=st.store.label()>
                                <h2>{st.store.label()}</h2>
                                <dl class="facts">
                                    <dt>"Live"</dt>
                                    <dd>{st.live.as_ref().map_or_else(|| "Not published yet".to_owned(),
                                        |l| format!("{} since {}", version(l), l.decided_at.as_ref().map(date).unwrap_or_default()))}</dd>
                                    <dt>"Waiting"</dt>
                                    <dd>{match (&st.in_flight, st.waiting_hours) {
                                        (Some(r), Some(h)) => view! {
                                            <span>{version(r)}" "{status_badge(r.status)}
                                            <span class:badge=r.overdue class:badge-danger=r.overdue>{format!(" for {h} h")}</span></span>
                                        }.into_any(),
                                        _ => view! { <span class="muted">"Nothing"</span> }.into_any(),
                                    }}</dd>
                                </dl>
                            </section>
                        }).collect_view()}
                    </div>
                }.into_any(),
            })}
        </Transition>
        {move || match wizard.get() {
            Some(existing) => view! { <Wizard app_id=app.get_value() existing=existing on_done=changed/> }.into_any(),
            None => view! {
                <p><button class="button button-primary" type="button" on:click=move |_| wizard.set(Some(None))>"New publish request"</button></p>
            }.into_any(),
        }}
        <section class="card" aria-labelledby="requests-title">
            <div class="card-head"><h2 id="requests-title">"Publish requests"</h2></div>
            <Transition fallback=|| view! { <Loading/> }>
                {move || requests.get().map(|result| match result {
                    Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <Empty title="No publish requests yet" hint="Start one with “New publish request”."/>
                    }.into_any(),
                    Ok(p) => view! {
                        <ul class="requests">{p.items.into_iter().map(|r| view! {
                            <RequestItem request=r on_edit=Callback::new(move |r| wizard.set(Some(Some(r)))) on_change=changed/>
                        }).collect_view()}</ul>
                        <Pager page=page per_page=PER_PAGE total=p.total/>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// One request of the app: its state, its timeline, and what the owner may do with it.
#[component]
fn RequestItem(
    request: PublishRequest,
    on_edit: Callback<PublishRequest>,
    on_change: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let r = StoredValue::new(request);
    let withdraw = move |_| {
        let r = r.get_value();
        let path = format!("apps/{}/publish-requests/{}/cancel", r.app_id, r.id);
        leptos::task::spawn_local(async move {
            match api::post::<PublishRequest>(&path, &CancelPublishRequest::default()).await {
                Ok(_) => {
                    toasts.show(Tone::Success, "Request withdrawn.");
                    on_change.run(());
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
        });
    };
    let req = r.get_value();
    let (editable, waiting) = (req.status.is_editable(), req.status.is_waiting());
    let timeline = LocalResource::new(move || {
        let r = r.get_value();
        let path = format!("apps/{}/publish-requests/{}", r.app_id, r.id);
        async move { api::get::<PublishRequest>(&path).await }
    });
    view! {
        <li class="request">
            <div class="request-head">
                <strong>{req.store.label()}" "{version(&req)}</strong>
                {status_badge(req.status)}
                {(req.revision > 1).then(|| view! { <span class="muted small">{format!("revision {}", req.revision)}</span> })}
                <span class="actions">
                    {editable.then(|| view! {
                        <button class="button button-small" type="button" on:click=move |_| on_edit.run(r.get_value())>
                            {if req.status == PublishStatus::Rejected { "Fix and resubmit" } else { "Complete and submit" }}
                        </button>
                    })}
                    {(editable || waiting).then(|| view! {
                        <button class="button button-small button-danger-quiet" type="button" on:click=withdraw>
                            {if waiting { "Withdraw" } else { "Discard" }}
                        </button>
                    })}
                </span>
            </div>
            {req.review_note.clone().map(|n| view! { <p class="quote-message">{n}</p> })}
            {move || timeline.get().and_then(Result::ok).map(|full| view! {
                <ol class="timeline">{full.timeline.into_iter().map(|e| view! {
                    <li><span class="timeline-status">{e.status.label()}</span>
                        <span class="muted small">{date_time(&e.at)}{e.actor_email.map(|a| format!(" · {a}"))}</span>
                        {e.note.map(|n| view! { <p>{n}</p> })}</li>
                }).collect_view()}</ol>
            })}
        </li>
    }
}
