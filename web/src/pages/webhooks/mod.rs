//! Webhook endpoints: URLs that receive the account's events, signed as the Standard Webhooks
//! specification says. Add one (its secret is shown once), choose its events, send a test event,
//! rotate its secret, switch it off and on; read its delivery log and send a delivery again.

use leptos::prelude::*;
use types::webhooks::{
    CreateWebhookEndpoint, DeliveryFilter, DeliveryStatus, DisabledReason, UpdateWebhookEndpoint,
    WebhookDelivery, WebhookEndpoint, WebhookEventType,
};
use types::{query, Page, PageQuery};

use crate::api;
use crate::components::{
    date_time, url_state, use_toasts, Confirm, Empty, ErrorBox, FormAlerts, FormState, Latest,
    Loading, Modal, RowMenu, TextField, Tone,
};

mod deliveries;
use deliveries::*;

#[derive(Clone)]
enum Dialog {
    Add,
    Edit(WebhookEndpoint),
    Rotate(WebhookEndpoint),
    Delete(WebhookEndpoint),
}

/// What an endpoint is sent, in a few words.
fn events_label(endpoint: &WebhookEndpoint) -> String {
    match &endpoint.event_types {
        None => "All events".to_owned(),
        Some(types) if types.len() <= 2 => types
            .iter()
            .map(|t| t.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        Some(types) => format!("{} event types", types.len()),
    }
}

fn state_badge(endpoint: &WebhookEndpoint) -> impl IntoView {
    let (class, label) = match (endpoint.enabled, endpoint.disabled_reason) {
        (true, _) if endpoint.failing_since.is_some() => ("badge badge-warning", "Failing"),
        (true, _) => ("badge badge-success", "Enabled"),
        (false, Some(DisabledReason::Gone)) => ("badge badge-danger", "Off: answered 410"),
        (false, Some(DisabledReason::Failing)) => ("badge badge-danger", "Off: failed 5 days"),
        (false, None) => ("badge", "Disabled"),
    };
    view! { <span class=class>{label}</span> }
}

#[component]
pub fn Webhooks() -> impl IntoView {
    let toasts = use_toasts();
    let version = RwSignal::new(0_u32);
    let endpoints = LocalResource::new(move || {
        version.track();
        let path = query::path_with("webhook-endpoints", &PageQuery::after(None, 100));
        async move { api::get::<Page<WebhookEndpoint>>(&path).await }
    });
    let reload = move || version.update(|v| *v += 1);
    // The endpoint whose delivery log is open, kept in the address.
    let selected = url_state("endpoint", String::new());
    let dialog = RwSignal::new(None::<Dialog>);
    let secret = RwSignal::new(None::<(String, String)>);
    let log_version = RwSignal::new(0_u32);

    let send_test = move |endpoint: WebhookEndpoint| {
        leptos::task::spawn_local(async move {
            let path = format!("webhook-endpoints/{}/test", endpoint.id);
            match api::post::<WebhookDelivery>(&path, &serde_json::json!({})).await {
                Ok(_) => {
                    toasts.show(
                        Tone::Success,
                        format!("Test event queued for {}.", endpoint.url),
                    );
                    selected.set(endpoint.id.clone());
                    log_version.update(|v| *v += 1);
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
        });
    };
    let switch = move |endpoint: WebhookEndpoint| {
        leptos::task::spawn_local(async move {
            let body = UpdateWebhookEndpoint {
                enabled: Some(!endpoint.enabled),
                ..UpdateWebhookEndpoint::default()
            };
            let path = format!("webhook-endpoints/{}", endpoint.id);
            match api::call::<WebhookEndpoint>("PATCH", &path, Some(&body), &[]).await {
                Ok(_) => {
                    let done = if endpoint.enabled {
                        "disabled"
                    } else {
                        "enabled"
                    };
                    toasts.show(Tone::Success, format!("{} {done}.", endpoint.url));
                    reload();
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
        });
    };
    let rotate = move |endpoint: WebhookEndpoint| {
        leptos::task::spawn_local(async move {
            let path = format!("webhook-endpoints/{}/rotate-secret", endpoint.id);
            match api::post::<WebhookEndpoint>(&path, &serde_json::json!({})).await {
                Ok(rotated) => {
                    secret.set(rotated.secret.map(|s| (rotated.url, s)));
                    reload();
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
            dialog.set(None);
        });
    };
    let delete = move |endpoint: WebhookEndpoint| {
        leptos::task::spawn_local(async move {
            match api::delete(&format!("webhook-endpoints/{}", endpoint.id)).await {
                Ok(()) => {
                    toasts.show(Tone::Success, format!("{} deleted.", endpoint.url));
                    if selected.get_untracked() == endpoint.id {
                        selected.set(String::new());
                    }
                    reload();
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
            dialog.set(None);
        });
    };

    view! {
        <div class="page-head">
            <div>
                <h1>"Webhooks"</h1>
                <p class="muted">"Your systems hear about changes as they happen: each event is POSTed as JSON to your endpoints, signed as the "
                    <a href="https://www.standardwebhooks.com" rel="noopener">"Standard Webhooks"</a>
                    " specification says (headers " <code>"webhook-id"</code> ", " <code>"webhook-timestamp"</code> ", " <code>"webhook-signature"</code>
                    "). Failed deliveries are retried for about 28 hours."</p>
            </div>
            <button class="button button-primary" on:click=move |_| dialog.set(Some(Dialog::Add))>"Add endpoint"</button>
        </div>
        {move || secret.get().map(|(url, value)| view! {
            <NewSecret url=url secret=value on_done=Callback::new(move |()| secret.set(None))/>
        })}
        <section class="card" aria-label="Endpoints">
            <Transition fallback=|| view! { <Loading/> }>
                {move || endpoints.get().map(|result| match result {
                    Err(e) => view! { <div class="pad"><ErrorBox message=e.message()/></div> }.into_any(),
                    Ok(page) if page.items.is_empty() => view! {
                        <Empty title="No endpoints yet" hint="Add the URL of your system to receive events about your apps, orders, subscriptions…"/>
                    }.into_any(),
                    Ok(page) => view! {
                        <div class="table-wrap">
                            <table>
                                <thead><tr>
                                    <th scope="col">"Endpoint"</th><th scope="col">"Events"</th><th scope="col">"State"</th>
                                    <th scope="col">"Created"</th><th scope="col" class="actions-col">"Actions"</th>
                                </tr></thead>
                                <tbody>
                                    {page.items.into_iter().map(|endpoint| {
                                        let label = endpoint.url.clone();
                                        let (for_log, for_test, for_edit, for_switch, for_rotate, for_delete) = (
                                            endpoint.id.clone(), endpoint.clone(), endpoint.clone(),
                                            endpoint.clone(), endpoint.clone(), endpoint.clone(),
                                        );
                                        let enabled = endpoint.enabled;
                                        let current = endpoint.id.clone();
                                        view! {
                                            <tr class:selected=move || selected.get() == current>
                                                <td>
                                                    <code class="break">{endpoint.url.clone()}</code>
                                                    {endpoint.description.clone().map(|d| view! { <div class="muted small">{d}</div> })}
                                                </td>
                                                <td>{events_label(&endpoint)}</td>
                                                <td class="nowrap">{state_badge(&endpoint)}</td>
                                                <td class="nowrap">{date_time(&endpoint.created_at)}</td>
                                                <td class="actions">
                                                    <button class="button button-small" aria-label=format!("Deliveries of {label}")
                                                        on:click=move |_| selected.set(for_log.clone())>"Deliveries"</button>
                                                    <button class="button button-small" aria-label=format!("Send test to {label}") disabled=!enabled
                                                        on:click=move |_| send_test(for_test.clone())>"Send test"</button>
                                                    <RowMenu of=label.clone()>
                                                        <button class="menu-item" role="menuitem" on:click={let e = for_edit.clone(); move |_| dialog.set(Some(Dialog::Edit(e.clone())))}>"Edit"</button>
                                                        <button class="menu-item" role="menuitem" on:click={let e = for_switch.clone(); move |_| switch(e.clone())}>
                                                            {if enabled { "Disable" } else { "Enable" }}
                                                        </button>
                                                        <button class="menu-item" role="menuitem" on:click={let e = for_rotate.clone(); move |_| dialog.set(Some(Dialog::Rotate(e.clone())))}>"Rotate secret"</button>
                                                        <button class="menu-item menu-danger" role="menuitem" on:click={let e = for_delete.clone(); move |_| dialog.set(Some(Dialog::Delete(e.clone())))}>"Delete"</button>
                                                    </RowMenu>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                })}
            </Transition>
        </section>
        {move || {
            let id = selected.get();
            (!id.is_empty()).then(|| view! { <DeliveryLog endpoint=id refresh=log_version/> })
        }}
        {move || dialog.get().map(|open| match open {
            Dialog::Add => view! {
                <EndpointForm editing=None on_done=Callback::new(move |made: Option<WebhookEndpoint>| {
                    if let Some(made) = made {
                        secret.set(made.secret.map(|s| (made.url, s)));
                        reload();
                    }
                    dialog.set(None);
                })/>
            }.into_any(),
            Dialog::Edit(endpoint) => view! {
                <EndpointForm editing=Some(endpoint) on_done=Callback::new(move |saved: Option<WebhookEndpoint>| {
                    if saved.is_some() {
                        toasts.show(Tone::Success, "Endpoint saved.");
                        reload();
                    }
                    dialog.set(None);
                })/>
            }.into_any(),
            Dialog::Rotate(endpoint) => {
                let for_confirm = endpoint.clone();
                view! {
                    <Confirm
                        title="Rotate the signing secret?".to_owned()
                        message=format!("{} gets a new secret, shown once. For 24 hours events are signed with both, so you can switch your receiver without losing one.", endpoint.url)
                        confirm_label="Rotate".to_owned()
                        on_confirm=Callback::new(move |()| rotate(for_confirm.clone()))
                        on_cancel=Callback::new(move |()| dialog.set(None))
                    />
                }.into_any()
            }
            Dialog::Delete(endpoint) => {
                let for_confirm = endpoint.clone();
                view! {
                    <Confirm
                        title="Delete endpoint?".to_owned()
                        message=format!("Nothing more is sent to {}, and its delivery log is deleted.", endpoint.url)
                        confirm_label="Delete".to_owned()
                        on_confirm=Callback::new(move |()| delete(for_confirm.clone()))
                        on_cancel=Callback::new(move |()| dialog.set(None))
                    />
                }.into_any()
            }
        })}
    }
}

/// A secret just made: shown this once, with a copy button.
#[component]
fn NewSecret(url: String, secret: String, on_done: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let copied = secret.clone();
    view! {
        <div class="key-box just-created" role="status">
            <strong>{format!("Signing secret of {url}")}</strong>
            <code aria-label="Signing secret">{secret}</code>
            <button class="button button-small" type="button" on:click=move |_| toasts.copy(copied.clone(), "Secret")>"Copy"</button>
            <button class="button button-small" type="button" on:click=move |_| on_done.run(())>"Done"</button>
            <span class="muted small">"Copy it now: it is not shown again. Verify each event's signature with it."</span>
        </div>
    }
}

/// Adds an endpoint (`editing` is `None`) or edits one; `on_done` gets what was saved.
#[component]
fn EndpointForm(
    editing: Option<WebhookEndpoint>,
    on_done: Callback<Option<WebhookEndpoint>>,
) -> impl IntoView {
    let form = FormState::new();
    let creating = editing.is_none();
    let id = editing.as_ref().map(|e| e.id.clone());
    let url = RwSignal::new(editing.as_ref().map(|e| e.url.clone()).unwrap_or_default());
    let description = RwSignal::new(
        editing
            .as_ref()
            .and_then(|e| e.description.clone())
            .unwrap_or_default(),
    );
    let chosen = editing.as_ref().and_then(|e| e.event_types.clone());
    let all = RwSignal::new(chosen.is_none());
    let types = RwSignal::new(chosen.unwrap_or_default());

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let event_types = (!all.get_untracked()).then(|| types.get_untracked());
        let text = description.get_untracked().trim().to_owned();
        let body = CreateWebhookEndpoint {
            url: url.get_untracked().trim().to_owned(),
            description: (!text.is_empty()).then_some(text),
            event_types,
            enabled: None,
        };
        if !form.check(&body) {
            return;
        }
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let saved = match id {
                None => api::post::<WebhookEndpoint>("webhook-endpoints", &body).await,
                Some(id) => {
                    let changes = UpdateWebhookEndpoint {
                        url: Some(body.url),
                        description: Some(body.description),
                        event_types: Some(body.event_types),
                        enabled: None,
                    };
                    let path = format!("webhook-endpoints/{id}");
                    api::call::<WebhookEndpoint>("PATCH", &path, Some(&changes), &[])
                        .await
                        .map(|r| r.body)
                }
            };
            match saved {
                Ok(endpoint) => on_done.run(Some(endpoint)),
                Err(e) => form.show(&e),
            }
        });
    };

    view! {
        <Modal title=if creating { "Add endpoint".to_owned() } else { "Edit endpoint".to_owned() } on_close=Callback::new(move |()| on_done.run(None))>
            <form class="modal-body form" on:submit=save novalidate>
                <FormAlerts form=form/>
                <div class="form-grid">
                    <TextField form=form label="URL" name="url" value=url required=true wide=true placeholder="https://erp.example/hooks/backoffice" maxlength=500/>
                    <TextField form=form label="Description" name="description" value=description wide=true placeholder="ERP sync" maxlength=200/>
                </div>
                <fieldset class="choices">
                    <legend>"Events to send"</legend>
                    <label class="choice"><input type="radio" name="which" prop:checked=move || all.get() on:change=move |_| all.set(true)/>
                        "All events, including types added later"</label>
                    <label class="choice"><input type="radio" name="which" prop:checked=move || !all.get() on:change=move |_| all.set(false)/>
                        "Only the types chosen below"</label>
                </fieldset>
                <Show when=move || !all.get()>
                    <fieldset class="event-types" aria-label="Event types">
                        {WebhookEventType::ALL.iter().map(|t| {
                            let t = *t;
                            view! {
                                <label class="choice">
                                    <input type="checkbox" prop:checked=move || types.get().contains(&t)
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            types.update(|list| {
                                                list.retain(|x| *x != t);
                                                if on { list.push(t); }
                                            });
                                        }/>
                                    <code>{t.as_str()}</code>
                                </label>
                            }
                        }).collect_view()}
                    </fieldset>
                    {form.error_line("event_types")}
                </Show>
                <p class="muted small">"The URL must be reachable from the internet: private and loopback addresses are refused. Answer 2xx within 15 seconds; 410 Gone switches the endpoint off."</p>
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_done.run(None)>"Cancel"</button>
                    <button type="submit" class="button button-primary">{if creating { "Add endpoint" } else { "Save" }}</button>
                </div>
            </form>
        </Modal>
    }
}
