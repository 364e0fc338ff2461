//! The publish wizard: stores and version → listing (uploads, checklist) → billing → terms →
//! submit.

use leptos::prelude::*;
use types::publishing::{
    AppPublishing, Asset, AssetKind, CreatePublishRequest, Listing, PublishRequest, ReleaseNote,
    ScreenshotId, Store, SubmitPublishRequest, UpdatePublishRequest, UploadAsset,
};
use types::{query, ErrorCode};

use super::Thumb;
use crate::api;
use crate::components::{use_toasts, FormAlerts, FormState, TextField, Tone};

/// The wizard's steps.
const STEPS: [&str; 4] = ["Stores and version", "Store listing", "Billing", "Terms"];

pub(super) fn text(v: RwSignal<String>) -> Option<String> {
    Some(v.get_untracked().trim().to_owned()).filter(|s| !s.is_empty())
}

/// Stores → listing (with its checklist) → billing → terms → submit. `existing`: a draft or a
/// rejected request to complete (its store is fixed).
#[component]
pub(super) fn Wizard(
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
    let upload = move |kind: AssetKind, ev: leptos::ev::Event| {
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
            let described = UploadAsset {
                kind,
                file_name: Some(file.name()),
            };
            let path = query::path_with(&format!("apps/{}/assets", app.get_value()), &described);
            leptos::task::spawn_local(async move {
                match api::upload::<Asset>(&path, &file).await {
                    Ok(asset) if kind == AssetKind::Icon => icon.set(Some(asset.id)),
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
                    if e.is(ErrorCode::SubscriptionRequired) {
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
                        <input type="file" accept="image/png" on:change=move |ev| upload(AssetKind::Icon, ev)/></label>
                    <label class="field"><span>"Screenshots (PNG or JPEG, 2 to 10)"</span>
                        <input type="file" accept="image/png,image/jpeg" multiple on:change=move |ev| upload(AssetKind::Screenshot, ev)/></label>
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
