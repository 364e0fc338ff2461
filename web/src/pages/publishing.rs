//! "Publish app": an app's Publish tab (what is live and waiting on each store, the requests
//! with their timelines, and the wizard the product follows: stores → listing → billing → terms
//! → submit), the Publishing page (the administrators' review queue; others see their apps'
//! requests) and the dashboard's notice of requests waiting too long.

use leptos::prelude::*;
use types::publishing::{
    AppPublishing, Asset, CancelPublishRequest, CreatePublishRequest, Listing, PublishRequest,
    PublishStatus, ReleaseNote, ReviewPublishRequest, ScreenshotId, Store, SubmitPublishRequest,
    UpdatePublishRequest,
};
use types::Page;

use crate::api;
use crate::components::{
    date, date_time, use_toasts, Empty, ErrorBox, FilterSelect, FormAlerts, FormState, ListAlert,
    Loading, Modal, Pager, TextField, Tone,
};

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

fn version(r: &PublishRequest) -> String {
    format!("{} ({})", r.version_name, r.build_number)
}

/// An uploaded image, read with the session (an `<img>` cannot send it).
#[component]
fn Thumb(app_id: String, asset: Asset) -> impl IntoView {
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
    let page = RwSignal::new(1_u32);
    let requests = LocalResource::new(move || {
        reload.track();
        let path = format!(
            "apps/{}/publish-requests?page={}&per_page={PER_PAGE}",
            app.get_value(),
            page.get()
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

/// The wizard's steps.
const STEPS: [&str; 4] = ["Stores and version", "Store listing", "Billing", "Terms"];

fn text(v: RwSignal<String>) -> Option<String> {
    Some(v.get_untracked().trim().to_owned()).filter(|s| !s.is_empty())
}

/// Stores → listing (with its checklist) → billing → terms → submit. `existing`: a draft or a
/// rejected request to complete (its store is fixed).
#[component]
fn Wizard(
    app_id: String,
    existing: Option<PublishRequest>,
    on_done: Callback<()>,
) -> impl IntoView {
    let toasts = use_toasts();
    let form = FormState::new();
    let step = RwSignal::new(0_usize);
    let app = StoredValue::new(app_id);
    // The requests this wizard saved (or was opened with), one per store.
    let saved = StoredValue::new(existing.iter().cloned().collect::<Vec<_>>());
    let l = existing
        .as_ref()
        .map(|r| r.listing.clone())
        .unwrap_or_default();
    let note = existing
        .as_ref()
        .and_then(|r| r.release_notes.first().cloned());
    let s = |v: Option<String>| RwSignal::new(v.unwrap_or_default());
    let app_store = RwSignal::new(existing.as_ref().is_none_or(|r| r.store == Store::AppStore));
    let google_play = RwSignal::new(
        existing
            .as_ref()
            .is_none_or(|r| r.store == Store::GooglePlay),
    );
    let version_name = s(existing.as_ref().map(|r| r.version_name.clone()));
    let build = s(existing.as_ref().map(|r| r.build_number.to_string()));
    let locale = RwSignal::new(
        note.as_ref()
            .map_or_else(|| "en-US".to_owned(), |n| n.locale.clone()),
    );
    let notes = s(note.map(|n| n.text));
    let (app_name, short, full, keywords) = (
        s(l.app_name),
        s(l.short_description),
        s(l.full_description),
        s(l.keywords),
    );
    let (support, privacy) = (s(l.support_url), s(l.privacy_policy_url));
    let icon = RwSignal::new(l.icon_asset_id);
    let shots = RwSignal::new(
        l.screenshot_asset_ids
            .into_iter()
            .map(|ScreenshotId(id)| id)
            .collect::<Vec<_>>(),
    );
    let accept = RwSignal::new(false);
    let replace = RwSignal::new(false);
    let assets = LocalResource::new(move || {
        let path = format!("apps/{}/assets", app.get_value());
        async move { api::get::<Vec<Asset>>(&path).await.unwrap_or_default() }
    });
    let status = LocalResource::new(move || {
        let path = format!("apps/{}/publishing", app.get_value());
        async move { api::get::<AppPublishing>(&path).await.ok() }
    });
    let listing = move || Listing {
        app_name: text(app_name),
        short_description: text(short),
        full_description: text(full),
        keywords: text(keywords),
        support_url: text(support),
        privacy_policy_url: text(privacy),
        icon_asset_id: icon.get_untracked(),
        screenshot_asset_ids: shots
            .get_untracked()
            .into_iter()
            .map(ScreenshotId)
            .collect(),
    };
    let release_notes = move || {
        text(notes)
            .map(|text| {
                vec![ReleaseNote {
                    locale: locale.get_untracked(),
                    text,
                }]
            })
            .unwrap_or_default()
    };
    let checklist = move || {
        let n = shots.get().len();
        [
            ("App name", !app_name.get().trim().is_empty()),
            ("Short description", !short.get().trim().is_empty()),
            ("Full description", !full.get().trim().is_empty()),
            ("Keywords", !keywords.get().trim().is_empty()),
            ("Support URL", !support.get().trim().is_empty()),
            ("Privacy policy URL", !privacy.get().trim().is_empty()),
            ("Icon", icon.get().is_some()),
            ("2 to 10 screenshots", (2..=10).contains(&n)),
            ("Release notes", !notes.get().trim().is_empty()),
        ]
    };
    let upload = move |kind: &'static str, ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(files) = input.files() else { return };
        let files: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        input.set_value("");
        for file in files {
            let path = format!(
                "apps/{}/assets?kind={kind}&file_name={}",
                app.get_value(),
                api::encode(&file.name())
            );
            leptos::task::spawn_local(async move {
                match api::upload::<Asset>(&path, &file).await {
                    Ok(asset) if kind == "icon" => icon.set(Some(asset.id)),
                    Ok(asset) => shots.update(|s| s.push(asset.id)),
                    Err(e) => toasts.show(Tone::Error, format!("{}: {}", file.name(), e.message())),
                }
                assets.refetch();
            });
        }
    };
    // Saves each chosen store's request (made, or changed), then submits it when asked.
    let save = move |submit: bool| {
        form.reset();
        let stores: Vec<Store> = [
            (Store::AppStore, app_store),
            (Store::GooglePlay, google_play),
        ]
        .into_iter()
        .filter(|(_, on)| on.get_untracked())
        .map(|(s, _)| s)
        .collect();
        if stores.is_empty() {
            form.failure.set(Some("Choose a store at least.".into()));
            step.set(0);
            return;
        }
        let Ok(build_number) = build.get_untracked().trim().parse::<i64>() else {
            form.errors.set(vec![types::FieldError {
                field: "build_number".into(),
                message: "must be a whole number".into(),
            }]);
            step.set(0);
            return;
        };
        let (listing, release_notes) = (listing(), release_notes());
        let version_name = version_name.get_untracked().trim().to_owned();
        let terms = SubmitPublishRequest {
            accept_terms: accept.get_untracked(),
            replace: replace.get_untracked(),
        };
        if submit && !terms.accept_terms {
            form.errors.set(vec![types::FieldError {
                field: "accept_terms".into(),
                message: "must be true: accept the publishing terms to submit".into(),
            }]);
            step.set(3);
            return;
        }
        form.busy.set(true);
        leptos::task::spawn_local(async move {
            let base = format!("apps/{}/publish-requests", app.get_value());
            let mut result = Ok(());
            for store in stores {
                let known = saved.with_value(|all| all.iter().find(|r| r.store == store).cloned());
                if known.as_ref().is_some_and(|r| !r.status.is_editable()) {
                    continue; // submitted by an earlier attempt
                }
                let stored = match known {
                    Some(r) => api::call::<PublishRequest>(
                        "PATCH",
                        &format!("{base}/{}", r.id),
                        Some(&UpdatePublishRequest {
                            version_name: Some(version_name.clone()),
                            build_number: Some(build_number),
                            release_notes: Some(release_notes.clone()),
                            listing: Some(listing.clone()),
                        }),
                        &[],
                    )
                    .await
                    .map(|r| r.body),
                    None => {
                        api::post::<PublishRequest>(
                            &base,
                            &CreatePublishRequest {
                                store,
                                version_name: version_name.clone(),
                                build_number,
                                release_notes: release_notes.clone(),
                                listing: listing.clone(),
                            },
                        )
                        .await
                    }
                };
                let remember = |r: PublishRequest| {
                    saved.update_value(|all| {
                        all.retain(|x| x.store != r.store);
                        all.push(r);
                    })
                };
                result = match stored {
                    Ok(r) if submit => {
                        let sent =
                            api::post::<PublishRequest>(&format!("{base}/{}/submit", r.id), &terms)
                                .await;
                        remember(r);
                        sent.map(remember)
                    }
                    Ok(r) => {
                        remember(r);
                        Ok(())
                    }
                    Err(e) => Err(e),
                };
                if result.is_err() {
                    break;
                }
            }
            form.busy.set(false);
            match result {
                Ok(()) => {
                    toasts.show(
                        Tone::Success,
                        if submit {
                            "Submitted to the store."
                        } else {
                            "Draft saved."
                        },
                    );
                    on_done.run(());
                }
                Err(e) => {
                    form.show(&e);
                    if e.code() == "subscription_required" {
                        step.set(2)
                    }
                }
            }
        });
    };
    let field =
        move |label: &'static str, name: &'static str, value: RwSignal<String>, max: u32| {
            view! {
                <TextField form=form label=label name=name value=value maxlength=max wide=true/>
            }
        };
    view! {
        <section class="card wizard" aria-labelledby="wizard-title">
            <div class="card-head">
                <h2 id="wizard-title">{if existing.is_some() { "Complete the publish request" } else { "New publish request" }}</h2>
                <button class="button button-small" type="button" on:click=move |_| on_done.run(())>"Close"</button>
            </div>
            <ol class="steps">{STEPS.iter().enumerate().map(|(i, label)| view! {
                <li aria-current=move || (step.get() == i).then_some("step")>
                    <button type="button" class="link-button" on:click=move |_| step.set(i)>{format!("{}. {label}", i + 1)}</button>
                </li>
            }).collect_view()}</ol>
            <form class="form" novalidate on:submit=move |ev| { ev.prevent_default(); save(true) }>
                <FormAlerts form=form/>
                <div class="form-grid" hidden=move || step.get() != 0>
                    <fieldset class="choices span-2">
                        <legend>"Stores"</legend>
                        <label class="check"><input type="checkbox" bind:checked=app_store disabled=existing.is_some()/>"App Store"</label>
                        <label class="check"><input type="checkbox" bind:checked=google_play disabled=existing.is_some()/>"Google Play"</label>
                    </fieldset>
                    <TextField form=form label="Version name" name="version_name" value=version_name placeholder="1.4.0" required=true/>
                    <TextField form=form label="Build number" name="build_number" value=build kind="number" required=true/>
                    <TextField form=form label="Release notes language" name="release_notes[0].locale" value=locale maxlength=6/>
                    <label class="field span-2">
                        <span>"Release notes (“What’s new”)"</span>
                        <textarea name="notes" rows="3" maxlength="500" bind:value=notes></textarea>
                    </label>
                </div>
                <div class="form-grid" hidden=move || step.get() != 1>
                    {field("App name", "listing.app_name", app_name, 30)}
                    {field("Short description", "listing.short_description", short, 80)}
                    <label class="field span-2"><span>"Full description"</span>
                        <textarea name="listing.full_description" rows="4" maxlength="4000" bind:value=full></textarea>
                        {form.error_line("listing.full_description")}</label>
                    {field("Keywords (comma-separated)", "listing.keywords", keywords, 100)}
                    {field("Support URL", "listing.support_url", support, 500)}
                    {field("Privacy policy URL", "listing.privacy_policy_url", privacy, 500)}
                    <label class="field"><span>"Icon (square PNG, 512–1024 px)"</span>
                        <input type="file" accept="image/png" on:change=move |ev| upload("icon", ev)/></label>
                    <label class="field"><span>"Screenshots (PNG or JPEG, 2 to 10)"</span>
                        <input type="file" accept="image/png,image/jpeg" multiple on:change=move |ev| upload("screenshot", ev)/></label>
                    <div class="span-2 thumbs">
                        {move || {
                            let all = assets.get().unwrap_or_default();
                            let chosen: Vec<String> = icon.get().into_iter().chain(shots.get()).collect();
                            chosen.into_iter().filter_map(|id| all.iter().find(|a| a.id == id).cloned()).map(|a| {
                                let id = a.id.clone();
                                view! { <figure>
                                    <Thumb app_id=app.get_value() asset=a/>
                                    <button type="button" class="button button-small" on:click=move |_| {
                                        let id = id.clone();
                                        if icon.get_untracked().as_ref() == Some(&id) { icon.set(None) }
                                        shots.update(|s| s.retain(|x| *x != id));
                                    }>"Remove"</button>
                                </figure> }
                            }).collect_view()
                        }}
                    </div>
                    <ul class="checklist span-2" aria-label="What the store needs">
                        {move || checklist().into_iter().map(|(label, done)| view! {
                            <li class:done=done>{if done { "✓ " } else { "✗ " }}{label}{(!done).then_some(" — missing")}</li>
                        }).collect_view()}
                    </ul>
                </div>
                <div hidden=move || step.get() != 2>
                    {move || status.get().flatten().map(|s| if s.can_submit {
                        view! { <p>"The app’s subscription is active: it can be published."</p> }.into_any()
                    } else {
                        view! { <p class="alert" role="status">"Publishing needs an active subscription. "
                            <a href=format!("/apps/{}/billing", app.get_value())>"Subscribe from the Billing tab"</a>
                            " (your request is kept as a draft)."</p> }.into_any()
                    })}
                </div>
                <div hidden=move || step.get() != 3>
                    <p class="muted">"By submitting, you confirm that you own the rights to this app and its listing, and that it follows the App Store Review Guidelines and the Google Play Developer Program Policies."</p>
                    <label class="check"><input type="checkbox" name="accept_terms" bind:checked=accept/>"I accept the publishing terms"</label>
                    {form.error_line("accept_terms")}
                    <label class="check"><input type="checkbox" bind:checked=replace/>"Withdraw and replace a request already waiting for the store"</label>
                </div>
                <footer class="modal-actions">
                    <button type="button" class="button" disabled=move || step.get() == 0 on:click=move |_| step.update(|s| *s -= 1)>"Back"</button>
                    <button type="button" class="button" disabled=move || form.busy.get() on:click=move |_| save(false)>"Save draft"</button>
                    {move || if step.get() < STEPS.len() - 1 {
                        view! { <button type="button" class="button button-primary" on:click=move |_| step.update(|s| *s += 1)>"Next"</button> }.into_any()
                    } else {
                        view! { <button type="submit" class="button button-primary" disabled=move || form.busy.get()>"Submit for publishing"</button> }.into_any()
                    }}
                </footer>
            </form>
        </section>
    }
}

/// The Publishing page: the review queue for administrators (who move requests along), the
/// requests of their apps for others.
#[component]
pub fn Publishing() -> impl IntoView {
    let admin = crate::session::account().is_some_and(|a| a.role == types::accounts::Role::Admin);
    let query = leptos_router::hooks::use_query_map();
    let status = RwSignal::new(query.with_untracked(|q| q.get("status").unwrap_or_default()));
    let store = RwSignal::new(String::new());
    let overdue = RwSignal::new(query.with_untracked(|q| q.get("overdue").unwrap_or_default()));
    let page = RwSignal::new(1_u32);
    let reload = RwSignal::new(0_u32);
    let list = LocalResource::new(move || {
        reload.track();
        let mut path = format!("publish-requests?page={}&per_page={PER_PAGE}", page.get());
        for (name, value) in [
            ("status", status.get()),
            ("store", store.get()),
            ("overdue", overdue.get()),
        ] {
            if !value.is_empty() {
                path.push_str(&format!("&{name}={value}"));
            }
        }
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
