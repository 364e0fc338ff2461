//! Writing a message: content, target, schedule, with a preview on a phone.

use leptos::prelude::*;
use types::devices::Platform;
use types::push::{
    CreatePushMessage, PushMessage, PushPreview, PushPreviewCount, PushStatus, PushTarget,
    UpdatePushMessage,
};

use super::parts::*;
use crate::api;
use crate::charts::number;
use crate::components::{EditSession, FormAlerts, FormState, Latest, Modal, TextField};

/// Writes a new message (`editing` is `None`) or edits a draft or scheduled one; `on_done` gets
/// what to tell the user.
#[component]
pub(super) fn Composer(
    app_id: String,
    editing: Option<PushMessage>,
    on_done: Callback<Option<String>>,
) -> impl IntoView {
    let form = FormState::new();
    let editing_id = editing.as_ref().map(|m| m.id.clone());
    let session = editing_id
        .as_ref()
        .map(|id| EditSession::new(format!("apps/{app_id}/push-messages/{id}")));
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let deep_link = RwSignal::new(String::new());
    let image_url = RwSignal::new(String::new());
    let data = RwSignal::new(String::new());
    let ios = RwSignal::new(false);
    let android = RwSignal::new(false);
    let version_min = RwSignal::new(String::new());
    let version_max = RwSignal::new(String::new());
    let locales = RwSignal::new(String::new());
    let seen_days = RwSignal::new(String::new());
    let mode = RwSignal::new("draft".to_owned());
    let send_at = RwSignal::new(String::new());
    let local_time = RwSignal::new("10:00".to_owned());
    let phone = RwSignal::new(Platform::Ios);
    let fill = move |m: PushMessage| {
        title.set(m.title.clone());
        body.set(m.body.clone());
        deep_link.set(m.deep_link.clone().unwrap_or_default());
        image_url.set(m.image_url.clone().unwrap_or_default());
        data.set(
            m.data
                .clone()
                .unwrap_or_default()
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        let t = m.target.clone().unwrap_or_default();
        let platforms = t.platforms.clone().unwrap_or_default();
        ios.set(platforms.contains(&Platform::Ios));
        android.set(platforms.contains(&Platform::Android));
        version_min.set(t.app_version_min.clone().unwrap_or_default());
        version_max.set(t.app_version_max.clone().unwrap_or_default());
        locales.set(t.locales.clone().unwrap_or_default().join(", "));
        seen_days.set(
            t.last_seen_within_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
        );
        match (&m.local_time, &m.send_at) {
            (Some(t), _) => {
                mode.set("local".into());
                local_time.set(t.clone());
            }
            (None, Some(at)) => {
                mode.set("at".into());
                send_at.set(utc_to_local(at));
            }
            _ => mode.set("draft".into()),
        }
    };
    if let (Some(session), Some(_)) = (session, &editing) {
        session.load(form, fill);
    }
    let target = move || {
        let mut platforms = Vec::new();
        if ios.get() {
            platforms.push(Platform::Ios);
        }
        if android.get() {
            platforms.push(Platform::Android);
        }
        let locales: Vec<String> = locales
            .get()
            .split(',')
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let t = PushTarget {
            platforms: (!platforms.is_empty() && platforms.len() < 2).then_some(platforms),
            app_version_min: optional(&version_min.get()),
            app_version_max: optional(&version_max.get()),
            locales: (!locales.is_empty()).then_some(locales),
            last_seen_within_days: seen_days.get().trim().parse().ok(),
        };
        (t != PushTarget::default()).then_some(t)
    };
    // The live count of devices the target reaches.
    let reach = RwSignal::new(None::<Result<i64, String>>);
    let latest = Latest::new();
    let preview_path = format!("apps/{app_id}/push-messages/preview");
    Effect::new(move |_| {
        let body = PushPreview { target: target() };
        let path = preview_path.clone();
        let ticket = latest.next();
        leptos::task::spawn_local(async move {
            let answer = api::post::<PushPreviewCount>(&path, &body).await;
            if latest.is(ticket) {
                reach.set(Some(answer.map(|c| c.targeted).map_err(|e| e.message())));
            }
        });
    });

    let creating = editing.is_none();
    let collection = format!("apps/{app_id}/push-messages");
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let how = mode.get_untracked();
        let at = (how == "at")
            .then(|| local_to_utc(&send_at.get_untracked()))
            .flatten();
        if how == "at" && at.is_none() {
            form.failure
                .set(Some("Choose the date and time to send at.".into()));
            return;
        }
        let local = (how == "local").then(|| local_time.get_untracked());
        let message = CreatePushMessage {
            title: title.get_untracked().trim().to_owned(),
            body: body.get_untracked().trim().to_owned(),
            deep_link: optional(&deep_link.get_untracked()),
            image_url: optional(&image_url.get_untracked()),
            data: parse_data(&data.get_untracked()),
            target: target(),
            send_at: at,
            local_time: local,
        };
        if !form.check(&message) {
            return;
        }
        let collection = collection.clone();
        leptos::task::spawn_local(async move {
            let saved = match session {
                None => api::post::<PushMessage>(&collection, &message).await,
                Some(session) => {
                    let changes = UpdatePushMessage {
                        title: Some(message.title.clone()),
                        body: Some(message.body.clone()),
                        deep_link: Some(message.deep_link.clone()),
                        image_url: Some(message.image_url.clone()),
                        data: Some(message.data.clone()),
                        target: Some(message.target.clone()),
                        send_at: Some(message.send_at),
                        local_time: Some(message.local_time.clone()),
                    };
                    session.save::<PushMessage>(&changes).await
                }
            };
            let saved = match (saved, how.as_str()) {
                (Ok(msg), "now") => {
                    let path = format!("{collection}/{}/send", msg.id);
                    api::post::<PushMessage>(&path, &serde_json::json!({})).await
                }
                (other, _) => other,
            };
            match saved {
                Ok(msg) => {
                    let text = match msg.status {
                        PushStatus::Sending => format!("“{}” is sending.", msg.title),
                        PushStatus::Scheduled => format!("“{}” is scheduled.", msg.title),
                        _ => format!("“{}” saved as a draft.", msg.title),
                    };
                    on_done.run(Some(text));
                }
                Err(e) => form.show(&e),
            }
        });
    };
    let submit_label = move || match mode.get().as_str() {
        "now" => "Send now",
        "at" | "local" => "Schedule",
        _ => "Save draft",
    };

    view! {
        <Modal title=if creating { "New push message".to_owned() } else { "Edit push message".to_owned() } wide=true on_close=Callback::new(move |()| on_done.run(None))>
            <form class="modal-body form" on:submit=save novalidate>
                <FormAlerts form=form/>
                <div class="push-compose">
                    <div>
                        <div class="form-grid">
                            <TextField form=form label="Title" name="title" value=title required=true wide=true maxlength=100 placeholder="Spring sale"/>
                            <label class="field span-2">
                                <span>"Message" <abbr title="required">"*"</abbr></span>
                                <textarea name="body" id="body" rows="3" maxlength="1000" bind:value=body
                                    aria-invalid=move || form.message("body").is_some().to_string()
                                    aria-describedby=move || form.message("body").is_some().then_some("body-error")
                                    placeholder="Everything 20 % off until Sunday."></textarea>
                                {form.error_line("body")}
                            </label>
                            <TextField form=form label="Deep link" name="deep_link" value=deep_link placeholder="myshop://sale/spring" maxlength=1000/>
                            <TextField form=form label="Image URL" name="image_url" value=image_url placeholder="https://cdn.example.com/sale.jpg" maxlength=1000/>
                            <label class="field span-2">
                                <span>"Data for the app (key=value, one per line)"</span>
                                <textarea name="data" id="data" rows="2" bind:value=data placeholder="campaign=spring"></textarea>
                                {form.error_line("data")}
                            </label>
                        </div>
                        <fieldset class="choices">
                            <legend>"Who gets it"</legend>
                            <div class="inline-choices">
                                <label class="choice"><input type="checkbox" bind:checked=ios/>"iOS"</label>
                                <label class="choice"><input type="checkbox" bind:checked=android/>"Android"</label>
                                <span class="muted small">"(neither: both)"</span>
                            </div>
                            <div class="form-grid">
                                <label class="field"><span>"App version from"</span><input name="app_version_min" placeholder="2.0" bind:value=version_min/>{form.error_line("target.app_version_min")}</label>
                                <label class="field"><span>"App version up to"</span><input name="app_version_max" placeholder="3.5" bind:value=version_max/>{form.error_line("target.app_version_max")}</label>
                                <label class="field"><span>"Languages"</span><input name="locales" placeholder="fr, nl-NL" bind:value=locales/>{form.error_line("target.locales")}</label>
                                <label class="field"><span>"Seen in the last (days)"</span><input name="last_seen_within_days" type="number" min="1" max="3650" bind:value=seen_days/>{form.error_line("target.last_seen_within_days")}</label>
                            </div>
                            <p class="reach" role="status" aria-live="polite">
                                {move || match reach.get() {
                                    None => "Counting devices…".to_owned(),
                                    Some(Ok(1)) => "Reaches 1 device with push on.".to_owned(),
                                    Some(Ok(n)) => format!("Reaches {} devices with push on.", number(n as f64)),
                                    Some(Err(m)) => format!("Cannot count: {m}"),
                                }}
                            </p>
                        </fieldset>
                        <fieldset class="choices">
                            <legend>"When"</legend>
                            {[("draft", "Save as a draft"), ("now", "Send now"), ("at", "At a date and time"), ("local", "At a time of day in each device's own time zone")]
                                .into_iter().map(|(value, label)| view! {
                                    <label class="choice"><input type="radio" name="when" value=value
                                        prop:checked=move || mode.get() == value on:change=move |_| mode.set(value.to_owned())/>{label}</label>
                                }).collect_view()}
                            <Show when=move || mode.get() == "at">
                                <label class="field"><span>"Send at (your time)"</span><input type="datetime-local" name="send_at" bind:value=send_at/>{form.error_line("send_at")}</label>
                            </Show>
                            <Show when=move || mode.get() == "local">
                                <label class="field"><span>"Local time"</span><input type="time" name="local_time" bind:value=local_time/>{form.error_line("local_time")}</label>
                            </Show>
                        </fieldset>
                    </div>
                    <PhonePreview title=title body=body image_url=image_url platform=phone/>
                </div>
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_done.run(None)>"Close"</button>
                    <button type="submit" class="button button-primary">{submit_label}</button>
                </div>
            </form>
        </Modal>
    }
}

/// The notification as a lock screen shows it, on an iPhone or an Android phone.
#[component]
pub(super) fn PhonePreview(
    title: RwSignal<String>,
    body: RwSignal<String>,
    image_url: RwSignal<String>,
    platform: RwSignal<Platform>,
) -> impl IntoView {
    let shown = move |s: RwSignal<String>, empty: &'static str| {
        move || {
            let v = s.get();
            if v.trim().is_empty() {
                empty.to_owned()
            } else {
                v
            }
        }
    };
    view! {
        <aside class="push-preview" aria-label="Preview">
            <div class="segmented" role="group" aria-label="Preview on">
                <button type="button" class="button button-small" aria-pressed=move || (platform.get() == Platform::Ios).to_string()
                    on:click=move |_| platform.set(Platform::Ios)>"iOS"</button>
                <button type="button" class="button button-small" aria-pressed=move || (platform.get() == Platform::Android).to_string()
                    on:click=move |_| platform.set(Platform::Android)>"Android"</button>
            </div>
            <div class=move || if platform.get() == Platform::Ios { "phone phone-ios" } else { "phone phone-android" }>
                <div class="phone-time">"9:41"</div>
                <div class="notification">
                    <div class="notification-head">
                        <span class="notification-icon" aria-hidden="true"></span>
                        <span class="notification-app">"Your app"</span>
                        <span class="notification-when">"now"</span>
                    </div>
                    <strong class="notification-title">{shown(title, "Title")}</strong>
                    <p class="notification-body">{shown(body, "Your message")}</p>
                    {move || optional(&image_url.get()).filter(|u| u.starts_with("https://")).map(|u| view! {
                        <img class="notification-image" src=u alt=""/>
                    })}
                </div>
            </div>
        </aside>
    }
}
