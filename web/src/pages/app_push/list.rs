//! An app's Push tab: its messages, the composer, reports and settings opened from it.

use leptos::prelude::*;
use types::push::{PushFilter, PushMessage, PushSettings, PushStatus};
use types::{query, Page, PageQuery};

use super::composer::*;
use super::parts::*;
use super::report::*;
use super::settings::*;
use crate::api;
use crate::charts::number;
use crate::components::{url_state, use_toasts, Confirm, Empty, ErrorBox, Loading, RowMenu, Tone};

#[derive(Clone)]
pub(super) enum Dialog {
    Compose(Option<PushMessage>),
    Report(String),
    Settings,
    Cancel(PushMessage),
    Delete(PushMessage),
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
        let filter = PushFilter {
            status: query::parsed(&status.get()),
            kind: None,
        };
        let page = PageQuery::after(None, 50);
        let path = query::list_path(&format!("apps/{list_app}/push-messages"), &filter, &page);
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
