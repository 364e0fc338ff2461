//! "Send push messages": the app's messages with their state and figures; a composer with a live
//! phone preview (iOS and Android), targeting with the count of devices it reaches, and when to
//! send (now, at a time, or at a time of day in each device's own zone); a message's report
//! (sent, failed by reason, opened, per hour) with a test send; the app's push settings
//! (provider credentials, quiet hours, daily cap, order status pushes).

use std::collections::BTreeMap;

use leptos::prelude::*;
use types::devices::Platform;
use types::push::{
    ApnsCredentials, ApnsEnvironment, CreatePushMessage, OrderStatusPush, PushMessage, PushPreview,
    PushPreviewCount, PushSettings, PushStatus, PushTarget, QuietHours, TestPush, TestPushResult,
    UpdatePushMessage, UpdatePushSettings, DEFAULT_ORDER_TEMPLATE,
};
use types::Page;

use crate::api;
use crate::charts::{number, BarChart, Period};
use crate::components::{
    date_time, url_state, use_toasts, Confirm, EditSession, Empty, ErrorBox, FormAlerts, FormState,
    Latest, Loading, Modal, RowMenu, TextField, Tone,
};

#[derive(Clone)]
enum Dialog {
    Compose(Option<PushMessage>),
    Report(String),
    Settings,
    Cancel(PushMessage),
    Delete(PushMessage),
}

fn status_badge(status: PushStatus) -> impl IntoView {
    let class = match status {
        PushStatus::Draft => "badge",
        PushStatus::Scheduled | PushStatus::Sending => "badge badge-warning",
        PushStatus::Sent => "badge badge-success",
        PushStatus::Failed | PushStatus::Canceled => "badge badge-danger",
    };
    view! { <span class=class>{status.label()}</span> }
}

/// When a message goes, in a few words.
fn when(msg: &PushMessage) -> String {
    match (&msg.local_time, &msg.send_at, msg.status) {
        (Some(t), _, _) => format!("{t}, each device's local time"),
        (None, Some(at), _) => date_time(at),
        (None, None, _) => "—".to_owned(),
    }
}

fn percent(rate: f64) -> String {
    format!("{:.1} %", rate * 100.0)
}

#[component]
pub fn PushTab(app_id: String) -> impl IntoView {
    let toasts = use_toasts();
    let status = url_state("push_status", String::new());
    let version = RwSignal::new(0_u32);
    let reload = move || version.update(|v| *v += 1);
    let dialog = RwSignal::new(None::<Dialog>);
    let list_app = app_id.clone();
    let list = LocalResource::new(move || {
        version.track();
        let mut path = format!("apps/{list_app}/push-messages?per_page=50");
        let wanted = status.get();
        if !wanted.is_empty() {
            path.push_str(&format!("&status={wanted}"));
        }
        async move { api::get::<Page<PushMessage>>(&path).await }
    });
    let settings_app = app_id.clone();
    let settings = LocalResource::new(move || {
        version.track();
        let path = format!("apps/{settings_app}/push-settings");
        async move { api::get::<PushSettings>(&path).await }
    });

    let act_app = app_id.clone();
    let act = move |msg: PushMessage, action: &'static str| {
        let path = format!("apps/{}/push-messages/{}/{action}", act_app, msg.id);
        leptos::task::spawn_local(async move {
            match api::post::<PushMessage>(&path, &serde_json::json!({})).await {
                Ok(_) => {
                    let done = if action == "send" {
                        "is sending"
                    } else {
                        "was canceled"
                    };
                    toasts.show(Tone::Success, format!("“{}” {done}.", msg.title));
                    reload();
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
            dialog.set(None);
        });
    };
    let delete_app = app_id.clone();
    let delete = move |msg: PushMessage| {
        let path = format!("apps/{}/push-messages/{}", delete_app, msg.id);
        leptos::task::spawn_local(async move {
            match api::delete(&path).await {
                Ok(()) => {
                    toasts.show(Tone::Success, format!("“{}” deleted.", msg.title));
                    reload();
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
            dialog.set(None);
        });
    };

    let for_dialogs = app_id.clone();
    let act_in_list = act.clone();
    view! {
        <div class="push-head">
            <h2>"Push messages"</h2>
            <div class="push-head-actions">
            <label class="field inline"><span>"Status"</span>
                <select on:change=move |ev| status.set(event_target_value(&ev)) prop:value=move || status.get()>
                    <option value="">"All"</option>
                    {PushStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.label()}</option> }).collect_view()}
                </select>
            </label>
            <button class="button" on:click=move |_| dialog.set(Some(Dialog::Settings))>"Push settings"</button>
            <button class="button button-primary" on:click=move |_| dialog.set(Some(Dialog::Compose(None)))>"New message"</button>
            </div>
        </div>
        <Transition fallback=|| ()>
            {move || settings.get().and_then(Result::ok).and_then(|s| gateway_note(&s))
                .map(|note| view! { <div class="alert alert-info" role="status">{note}</div> })}
        </Transition>
        <section class="card" aria-label="Push messages">
            <Transition fallback=|| view! { <Loading/> }>
                {move || {
                    let act = act_in_list.clone();
                    list.get().map(move |result| match result {
                    Err(e) => view! { <div class="pad"><ErrorBox message=e.message()/></div> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! {
                        <Empty title="No push messages" hint="Write one to tell the app's users about an offer: it reaches every device with push switched on, or those you target."/>
                    }.into_any(),
                    Ok(page) => view! {
                        <div class="table-wrap">
                            <table>
                                <thead><tr>
                                    <th scope="col">"Message"</th><th scope="col">"Status"</th><th scope="col">"When"</th>
                                    <th scope="col" class="num">"Sent"</th>
                                    <th scope="col" class="num">"Failed"</th><th scope="col" class="num">"Opened"</th>
                                    <th scope="col" class="actions-col">"Actions"</th>
                                </tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|msg| {
                                        let label = msg.title.clone();
                                        let editable = msg.status.editable();
                                        let cancelable = editable || msg.status == PushStatus::Sending;
                                        let (for_report, for_edit, for_send, for_cancel, for_delete) =
                                            (msg.id.clone(), msg.clone(), msg.clone(), msg.clone(), msg.clone());
                                        let act = act.clone();
                                        let s = msg.stats.clone();
                                        view! {
                                            <tr>
                                                <td><strong>{msg.title.clone()}</strong><div class="muted small clamp">{msg.body.clone()}</div></td>
                                                <td class="nowrap">{status_badge(msg.status)}</td>
                                                <td class="nowrap">{when(&msg)}</td>
                                                <td class="num nowrap">{format!("{} of {}", number(s.sent as f64), number(s.targeted as f64))}</td>
                                                <td class="num">{number(s.failed as f64)}</td>
                                                <td class="num nowrap">{format!("{} ({})", number(s.opened as f64), percent(s.open_rate))}</td>
                                                <td class="actions">
                                                    <button class="button button-small" aria-label=format!("Report of {label}")
                                                        on:click=move |_| dialog.set(Some(Dialog::Report(for_report.clone())))>"Report"</button>
                                                    {cancelable.then(|| view! {
                                                        <RowMenu of=label.clone()>
                                                            {editable.then(|| view! {
                                                                <button class="menu-item" role="menuitem" on:click={let m = for_edit.clone(); move |_| dialog.set(Some(Dialog::Compose(Some(m.clone()))))}>"Edit"</button>
                                                                <button class="menu-item" role="menuitem" on:click={let m = for_send.clone(); let act = act.clone(); move |_| act(m.clone(), "send")}>"Send now"</button>
                                                            })}
                                                            <button class="menu-item menu-danger" role="menuitem" on:click={let m = for_cancel.clone(); move |_| dialog.set(Some(Dialog::Cancel(m.clone())))}>"Cancel"</button>
                                                            {editable.then(|| view! {
                                                                <button class="menu-item menu-danger" role="menuitem" on:click={let m = for_delete.clone(); move |_| dialog.set(Some(Dialog::Delete(m.clone())))}>"Delete"</button>
                                                            })}
                                                        </RowMenu>
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <p class="muted small card-note">{format!("{} messages", page.total)}</p>
                    }.into_any(),
                })}}
            </Transition>
        </section>
        {move || {
            let app_id = for_dialogs.clone();
            let act = act.clone();
            let delete = delete.clone();
            dialog.get().map(move |open| match open {
                Dialog::Compose(editing) => view! {
                    <Composer app_id editing on_done=Callback::new(move |saved: Option<String>| {
                        dialog.set(None);
                        if let Some(text) = saved {
                            toasts.show(Tone::Success, text);
                            reload();
                        }
                    })/>
                }.into_any(),
                Dialog::Report(id) => view! {
                    <Report app_id message_id=id on_close=Callback::new(move |()| { dialog.set(None); reload(); })/>
                }.into_any(),
                Dialog::Settings => view! {
                    <SettingsForm app_id on_done=Callback::new(move |saved: bool| {
                        dialog.set(None);
                        if saved {
                            toasts.show(Tone::Success, "Push settings saved.");
                            reload();
                        }
                    })/>
                }.into_any(),
                Dialog::Cancel(msg) => {
                    let for_confirm = msg.clone();
                    let message = if msg.status == PushStatus::Sending {
                        format!("“{}” stops: devices it has not reached yet will not get it ({} of {} sent so far).", msg.title, msg.stats.sent, msg.stats.targeted)
                    } else {
                        format!("“{}” will not be sent. It stays in the list, canceled.", msg.title)
                    };
                    view! {
                        <Confirm title="Cancel this message?".to_owned() message=message confirm_label="Cancel message".to_owned()
                            on_confirm=Callback::new(move |()| act(for_confirm.clone(), "cancel"))
                            on_cancel=Callback::new(move |()| dialog.set(None))/>
                    }.into_any()
                }
                Dialog::Delete(msg) => {
                    let for_confirm = msg.clone();
                    view! {
                        <Confirm title="Delete this message?".to_owned() message=format!("“{}” is deleted; it was never sent.", msg.title)
                            confirm_label="Delete".to_owned()
                            on_confirm=Callback::new(move |()| delete(for_confirm.clone()))
                            on_cancel=Callback::new(move |()| dialog.set(None))/>
                    }.into_any()
                }
            })
        }}
    }
}

/// What the tab says about where pushes go, when some only reach the server's log.
fn gateway_note(s: &PushSettings) -> Option<String> {
    if s.gateway == "log" {
        return Some("This installation records pushes in its server log only (PUSH_GATEWAY=log): nothing reaches phones.".into());
    }
    match (&s.fcm, &s.apns) {
        (Some(_), Some(_)) => None,
        (None, None) => Some("No provider credentials yet: pushes are only recorded in the server log. Add Firebase and APNs keys in Push settings.".into()),
        (None, Some(_)) => Some("No Firebase credentials: pushes to Android devices are only recorded in the server log.".into()),
        (Some(_), None) => Some("No APNs key: pushes to iPhones are only recorded in the server log.".into()),
    }
}

/// `key=value` lines as data.
fn parse_data(text: &str) -> Option<BTreeMap<String, String>> {
    let map: BTreeMap<String, String> = text
        .lines()
        .filter_map(|line| {
            let (k, v) = line.split_once('=')?;
            Some((k.trim().to_owned(), v.trim().to_owned()))
        })
        .filter(|(k, _)| !k.is_empty())
        .collect();
    (!map.is_empty()).then_some(map)
}

fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A `datetime-local` value (the viewer's zone) as a UTC instant.
fn local_to_utc(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    if value.is_empty() {
        return None;
    }
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value));
    let iso: String = date.to_iso_string().into();
    chrono::DateTime::parse_from_rfc3339(&iso)
        .ok()
        .map(|d| d.with_timezone(&chrono::Utc))
}

/// A UTC instant as a `datetime-local` value in the viewer's zone.
fn utc_to_local(at: &chrono::DateTime<chrono::Utc>) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        at.timestamp_millis() as f64
    ));
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        date.get_full_year(),
        date.get_month() + 1,
        date.get_date(),
        date.get_hours(),
        date.get_minutes()
    )
}

/// Writes a new message (`editing` is `None`) or edits a draft or scheduled one; `on_done` gets
/// what to tell the user.
#[component]
fn Composer(
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
fn PhonePreview(
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

/// A message's report; refreshed every two seconds while it is sending.
#[component]
fn Report(app_id: String, message_id: String, on_close: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let path = format!("apps/{app_id}/push-messages/{message_id}");
    let tick = RwSignal::new(0_u32);
    let read_path = path.clone();
    let message = LocalResource::new(move || {
        tick.track();
        let path = read_path.clone();
        async move { api::get::<PushMessage>(&path).await }
    });
    let handle = set_interval_with_handle(
        move || {
            let live = message
                .get_untracked()
                .and_then(Result::ok)
                .is_some_and(|m| matches!(m.status, PushStatus::Sending | PushStatus::Scheduled));
            if live {
                tick.update(|t| *t += 1);
            }
        },
        std::time::Duration::from_secs(2),
    );
    on_cleanup(move || {
        if let Ok(h) = handle {
            h.clear();
        }
    });
    let installation = RwSignal::new(String::new());
    let test_result = RwSignal::new(None::<TestPushResult>);
    let test_path = format!("{path}/test");
    let send_test = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = TestPush {
            installation_id: installation.get_untracked().trim().to_owned(),
        };
        let path = test_path.clone();
        leptos::task::spawn_local(async move {
            match api::post::<TestPushResult>(&path, &body).await {
                Ok(result) => test_result.set(Some(result)),
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
        });
    };

    view! {
        <Modal title="Push message report".to_owned() wide=true on_close=on_close>
            <div class="modal-body">
                <Transition fallback=|| view! { <Loading/> }>
                    {move || message.get().map(|result| match result {
                        Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                        Ok(m) => {
                            let s = m.stats.clone();
                            let failures = m.failures.clone().unwrap_or_default();
                            let timeline = m.timeline.clone().unwrap_or_default();
                            let periods: Vec<Period> = timeline.iter().map(|p| Period {
                                tick: crate::components::date_time(&p.at).rsplit(", ").next().unwrap_or_default().to_owned(),
                                name: date_time(&p.at),
                                partial: false,
                            }).collect();
                            let sent: Vec<Option<f64>> = timeline.iter().map(|p| Some(p.sent as f64)).collect();
                            let opened: Vec<Option<f64>> = timeline.iter().map(|p| Some(p.opened as f64)).collect();
                            view! {
                                <h3 class="report-title">{m.title.clone()} " " {status_badge(m.status)}</h3>
                                <p class="muted">{m.body.clone()}</p>
                                <section class="stats" aria-label="Figures">
                                    <div class="stat"><span class="stat-label">"Targeted"</span><span class="stat-value">{number(s.targeted as f64)}</span></div>
                                    <div class="stat"><span class="stat-label">"Sent"</span><span class="stat-value">{number(s.sent as f64)}</span></div>
                                    <div class="stat"><span class="stat-label">"Failed"</span><span class="stat-value">{number(s.failed as f64)}</span></div>
                                    <div class="stat"><span class="stat-label">"Opened"</span><span class="stat-value">{format!("{} · {}", number(s.opened as f64), percent(s.open_rate))}</span></div>
                                </section>
                                <p class="muted small">{format!("When: {}", when(&m))}
                                    {m.finished_at.as_ref().map(|f| format!(" · finished {}", date_time(f)))}</p>
                                {(!failures.is_empty()).then(|| view! {
                                    <div class="table-wrap">
                                        <table>
                                            <caption>"Failures by reason"</caption>
                                            <thead><tr><th scope="col">"Reason"</th><th scope="col" class="num">"Devices"</th></tr></thead>
                                            <tbody>
                                                {failures.iter().map(|f| view! {
                                                    <tr><td><code>{f.reason.clone()}</code> " " <span class="muted small">{reason_text(&f.reason)}</span></td><td class="num">{number(f.count as f64)}</td></tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                })}
                                {(!timeline.is_empty()).then(|| view! {
                                    <div class="grid-2 section-gap">
                                        <section class="card"><BarChart title="Sent per hour" class="series-1" periods=periods.clone() values=sent/></section>
                                        <section class="card"><BarChart title="Opened per hour" class="series-2" periods=periods values=opened/></section>
                                    </div>
                                })}
                            }.into_any()
                        }
                    })}
                </Transition>
                <form class="form test-send" on:submit=send_test>
                    <label class="field"><span>"Send a test to one device (installation id)"</span>
                        <input name="installation_id" bind:value=installation placeholder="from the Devices tab"/></label>
                    <button type="submit" class="button">"Send test"</button>
                    {move || test_result.get().map(|r| {
                        let text = if r.delivered {
                            format!("Delivered through {}.", r.gateway)
                        } else {
                            format!("Not delivered ({}): {}", r.reason.unwrap_or_default(), r.error.unwrap_or_default())
                        };
                        view! { <p class="muted small" role="status">{text}</p> }
                    })}
                </form>
            </div>
        </Modal>
    }
}

fn reason_text(reason: &str) -> &'static str {
    match reason {
        "unregistered" => "the app was uninstalled or the token expired",
        "bad_token" => "the provider does not know this token",
        "daily_cap" => "the device had its pushes for the day",
        "rate_limited" => "the provider kept asking to slow down",
        "provider_error" => "the provider kept failing",
        "rejected" => "the provider refused the message",
        "not_configured" => "the credentials could not be used",
        _ => "",
    }
}

/// Reads the chosen file into `into`.
fn read_file(ev: leptos::ev::Event, into: RwSignal<String>) {
    use wasm_bindgen::JsCast;
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return;
    };
    leptos::task::spawn_local(async move {
        if let Ok(text) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
            into.set(text.as_string().unwrap_or_default());
        }
    });
}

/// The app's push settings.
#[component]
fn SettingsForm(app_id: String, on_done: Callback<bool>) -> impl IntoView {
    let form = FormState::new();
    let path = format!("apps/{app_id}/push-settings");
    let current = RwSignal::new(None::<PushSettings>);
    let etag = RwSignal::new(String::new());
    let fcm_json = RwSignal::new(String::new());
    let remove_fcm = RwSignal::new(false);
    let apns_key_id = RwSignal::new(String::new());
    let apns_team_id = RwSignal::new(String::new());
    let apns_topic = RwSignal::new(String::new());
    let apns_sandbox = RwSignal::new(false);
    let apns_key = RwSignal::new(String::new());
    let remove_apns = RwSignal::new(false);
    let quiet = RwSignal::new(false);
    let quiet_start = RwSignal::new("22:00".to_owned());
    let quiet_end = RwSignal::new("08:00".to_owned());
    let cap = RwSignal::new(String::new());
    let orders = RwSignal::new(false);
    let template = RwSignal::new(DEFAULT_ORDER_TEMPLATE.to_owned());
    let read_path = path.clone();
    leptos::task::spawn_local(async move {
        match api::call::<PushSettings>("GET", &read_path, None::<&()>, &[]).await {
            Ok(reply) => {
                let s = reply.body;
                etag.set(reply.etag.unwrap_or_default());
                if let Some(a) = &s.apns {
                    apns_key_id.set(a.key_id.clone());
                    apns_team_id.set(a.team_id.clone());
                    apns_topic.set(a.topic.clone());
                    apns_sandbox.set(a.environment == ApnsEnvironment::Sandbox);
                }
                if let Some(q) = &s.quiet_hours {
                    quiet.set(true);
                    quiet_start.set(q.start.clone());
                    quiet_end.set(q.end.clone());
                }
                cap.set(s.daily_cap.map(|c| c.to_string()).unwrap_or_default());
                orders.set(s.order_status.enabled);
                template.set(s.order_status.template.clone());
                current.set(Some(s));
            }
            Err(e) => form.show(&e),
        }
    });

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let had_apns = current.get_untracked().is_some_and(|s| s.apns.is_some());
        let key = apns_key.get_untracked();
        let apns = if remove_apns.get_untracked() {
            Some(None)
        } else if !key.trim().is_empty()
            || (!had_apns && !apns_key_id.get_untracked().trim().is_empty())
        {
            Some(Some(ApnsCredentials {
                key_id: apns_key_id.get_untracked().trim().to_owned(),
                team_id: apns_team_id.get_untracked().trim().to_owned(),
                topic: apns_topic.get_untracked().trim().to_owned(),
                environment: if apns_sandbox.get_untracked() {
                    ApnsEnvironment::Sandbox
                } else {
                    ApnsEnvironment::Production
                },
                private_key: key,
            }))
        } else {
            None
        };
        let fcm = if remove_fcm.get_untracked() {
            Some(None)
        } else {
            optional(&fcm_json.get_untracked()).map(Some)
        };
        let body = UpdatePushSettings {
            fcm_service_account: fcm,
            apns,
            quiet_hours: quiet.get_untracked().then(|| QuietHours {
                start: quiet_start.get_untracked(),
                end: quiet_end.get_untracked(),
            }),
            daily_cap: cap.get_untracked().trim().parse().ok(),
            order_status: Some(OrderStatusPush {
                enabled: orders.get_untracked(),
                template: template.get_untracked(),
            }),
        };
        if !form.check(&body) {
            return;
        }
        let path = path.clone();
        leptos::task::spawn_local(async move {
            let tag = etag.get_untracked();
            match api::call::<PushSettings>("PUT", &path, Some(&body), &[("If-Match", &tag)]).await
            {
                Ok(_) => on_done.run(true),
                Err(e) => form.show(&e),
            }
        });
    };

    view! {
        <Modal title="Push settings".to_owned() wide=true on_close=Callback::new(move |()| on_done.run(false))>
            <form class="modal-body form" on:submit=save novalidate>
                <FormAlerts form=form/>
                <fieldset class="choices">
                    <legend>"Firebase Cloud Messaging (Android)"</legend>
                    <p class="muted small">{move || match current.get().and_then(|s| s.fcm) {
                        Some(f) => format!("Configured: project {}, {} (key {}). Upload another key file to replace it.", f.project_id, f.client_email, f.key_id),
                        None => "Not configured. Upload the service account key file (JSON) from the Firebase console: Project settings → Service accounts.".to_owned(),
                    }}</p>
                    <label class="field"><span>"Service account key file"</span>
                        <input type="file" accept=".json,application/json" on:change=move |ev| read_file(ev, fcm_json)/></label>
                    <Show when=move || !fcm_json.get().is_empty()><p class="muted small">"Key file read; it is checked and stored encrypted when you save."</p></Show>
                    {form.error_line("fcm_service_account")}
                    <Show when=move || current.get().is_some_and(|s| s.fcm.is_some())>
                        <label class="choice"><input type="checkbox" bind:checked=remove_fcm/>"Remove the Firebase credentials"</label>
                    </Show>
                </fieldset>
                <fieldset class="choices">
                    <legend>"Apple Push Notification service (iOS)"</legend>
                    <p class="muted small">{move || match current.get().and_then(|s| s.apns) {
                        Some(a) => format!("Configured: key {} of team {} for {} ({}). Upload another .p8 key to replace it.", a.key_id, a.team_id, a.topic, a.environment),
                        None => "Not configured. Create a key with the Apple Push Notifications service in your Apple developer account (Keys), and upload its .p8 file.".to_owned(),
                    }}</p>
                    <div class="form-grid">
                        <TextField form=form label="Key ID" name="apns.key_id" value=apns_key_id maxlength=10 placeholder="ABC123DEFG"/>
                        <TextField form=form label="Team ID" name="apns.team_id" value=apns_team_id maxlength=10 placeholder="DEF123GHIJ"/>
                        <TextField form=form label="Bundle ID" name="apns.topic" value=apns_topic placeholder="com.example.shop"/>
                        <label class="field"><span>"Signing key (.p8)"</span>
                            <input type="file" accept=".p8" on:change=move |ev| read_file(ev, apns_key)/>{form.error_line("apns.private_key")}</label>
                    </div>
                    <label class="choice"><input type="checkbox" bind:checked=apns_sandbox/>"Development builds (APNs sandbox)"</label>
                    <Show when=move || current.get().is_some_and(|s| s.apns.is_some())>
                        <label class="choice"><input type="checkbox" bind:checked=remove_apns/>"Remove the APNs key"</label>
                    </Show>
                </fieldset>
                <fieldset class="choices">
                    <legend>"Sending rules"</legend>
                    <label class="choice"><input type="checkbox" bind:checked=quiet/>"Quiet hours: hold pushes during these hours of each device's own time"</label>
                    <Show when=move || quiet.get()>
                        <div class="form-grid">
                            <label class="field"><span>"From"</span><input type="time" name="quiet_hours.start" bind:value=quiet_start/>{form.error_line("quiet_hours.start")}</label>
                            <label class="field"><span>"Until"</span><input type="time" name="quiet_hours.end" bind:value=quiet_end/>{form.error_line("quiet_hours.end")}</label>
                        </div>
                    </Show>
                    <label class="field"><span>"At most this many pushes per device in 24 hours (empty: no cap)"</span>
                        <input type="number" name="daily_cap" min="1" max="100" bind:value=cap/>{form.error_line("daily_cap")}</label>
                </fieldset>
                <fieldset class="choices">
                    <legend>"Order status pushes"</legend>
                    <label class="choice"><input type="checkbox" bind:checked=orders/>"Tell the device that placed an order when its status changes"</label>
                    <label class="field"><span>"Text (<ORDER_NUMBER> and <STATUS> are filled in)"</span>
                        <input name="order_status.template" bind:value=template maxlength="500"/>{form.error_line("order_status.template")}</label>
                </fieldset>
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_done.run(false)>"Cancel"</button>
                    <button type="submit" class="button button-primary">"Save settings"</button>
                </div>
            </form>
        </Modal>
    }
}
