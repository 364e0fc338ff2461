//! An endpoint's delivery log, with retry.

use super::*;

pub(super) fn delivery_badge(status: DeliveryStatus) -> impl IntoView {
    let (class, label) = match status {
        DeliveryStatus::Pending => ("badge badge-warning", "Pending"),
        DeliveryStatus::Succeeded => ("badge badge-success", "Succeeded"),
        DeliveryStatus::Failed => ("badge badge-danger", "Failed"),
    };
    view! { <span class=class>{label}</span> }
}

/// One endpoint's deliveries, newest first, 25 at a time; `refresh` reloads them.
#[component]
pub(super) fn DeliveryLog(endpoint: String, refresh: RwSignal<u32>) -> impl IntoView {
    let toasts = use_toasts();
    let status = url_state("delivery_status", String::new());
    let items = RwSignal::new(Vec::<WebhookDelivery>::new());
    let cursor = RwSignal::new(None::<String>);
    let total = RwSignal::new(None::<i64>);
    let error = RwSignal::new(None::<String>);
    let reading = RwSignal::new(None::<WebhookDelivery>);
    let latest = Latest::new();
    let base = format!("webhook-endpoints/{endpoint}/deliveries");
    let load = {
        let base = base.clone();
        move |more: bool| {
            let filter = DeliveryFilter {
                status: query::parsed(&status.get_untracked()),
            };
            let after = if more { cursor.get_untracked() } else { None };
            let path = query::list_path(&base, &filter, &PageQuery::after(after, 25));
            let ticket = latest.next();
            leptos::task::spawn_local(async move {
                let answer = api::get::<Page<WebhookDelivery>>(&path).await;
                if !latest.is(ticket) {
                    return;
                }
                match answer {
                    Ok(page) => {
                        error.set(None);
                        total.set(Some(page.total));
                        cursor.set(page.next_cursor);
                        if more {
                            items.update(|i| i.extend(page.items));
                        } else {
                            items.set(page.items);
                        }
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        }
    };
    let first = load.clone();
    Effect::new(move |_| {
        status.track();
        refresh.track();
        first(false);
    });
    let again = load.clone();
    let retry = move |delivery: WebhookDelivery| {
        let path = format!("{base}/{}/retry", delivery.id);
        let again = again.clone();
        leptos::task::spawn_local(async move {
            match api::post::<WebhookDelivery>(&path, &serde_json::json!({})).await {
                Ok(_) => {
                    toasts.show(
                        Tone::Success,
                        format!("{} queued again.", delivery.event_type),
                    );
                    again(false);
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
        });
    };
    let more = load.clone();
    let reload = load;

    view! {
        <section class="card" aria-labelledby="deliveries-title">
            <div class="card-head">
                <h2 id="deliveries-title">"Deliveries"</h2>
                <label class="field inline"><span>"Status"</span>
                    <select on:change=move |ev| status.set(event_target_value(&ev)) prop:value=move || status.get()>
                        <option value="">"All"</option>
                        {DeliveryStatus::ALL.iter().map(|s| view! { <option value=s.as_str()>{s.as_str()}</option> }).collect_view()}
                    </select>
                </label>
                <button class="button button-small" on:click=move |_| reload(false)>"Refresh"</button>
            </div>
            {move || error.get().map(|m| view! { <div class="pad"><ErrorBox message=m/></div> })}
            {move || match (total.get(), items.get().is_empty()) {
                (None, _) => view! { <Loading/> }.into_any(),
                (Some(_), true) => view! { <Empty title="No deliveries" hint="Events sent to this endpoint show here; send a test event to see one."/> }.into_any(),
                (Some(n), false) => view! {
                    <p class="muted small card-note">{if n == 1 { "1 delivery".to_owned() } else { format!("{n} deliveries") }}</p>
                    <div class="table-wrap">
                        <table>
                            <thead><tr>
                                <th scope="col">"Event"</th><th scope="col">"Created"</th><th scope="col">"Status"</th>
                                <th scope="col">"Last answer"</th><th scope="col">"Attempts"</th><th scope="col">"Next attempt"</th>
                                <th scope="col" class="actions-col">"Actions"</th>
                            </tr></thead>
                            <tbody>
                                {items.get().into_iter().map(|d| {
                                    let answer = match (d.response_status, &d.error) {
                                        (Some(code), _) => format!("HTTP {code} · {} ms", d.response_ms.unwrap_or_default()),
                                        (None, Some(e)) => e.clone(),
                                        (None, None) => "—".to_owned(),
                                    };
                                    let (for_read, for_retry) = (d.clone(), d.clone());
                                    let label = format!("{} {}", d.event_type, d.event_id);
                                    view! {
                                        <tr>
                                            <td><code class="nowrap">{d.event_type.clone()}</code><div class="muted small">{d.event_id.clone()}</div></td>
                                            <td class="nowrap">{date_time(&d.created_at)}</td>
                                            <td>{delivery_badge(d.status)}</td>
                                            <td title=d.error.clone().unwrap_or_default()>{answer}</td>
                                            <td>{d.attempts}</td>
                                            <td class="nowrap">{d.next_attempt_at.as_ref().map_or_else(|| "—".to_owned(), date_time)}</td>
                                            <td class="actions">
                                                <button class="button button-small" aria-label=format!("Payload of {label}")
                                                    on:click=move |_| reading.set(Some(for_read.clone()))>"Payload"</button>
                                                <button class="button button-small" aria-label=format!("Send again {label}")
                                                    on:click={let retry = retry.clone(); move |_| retry(for_retry.clone())}>"Send again"</button>
                                            </td>
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
                    <button class="button" on:click={let more = more.clone(); move |_| more(true)}>"Load more"</button>
                </div>
            </Show>
        </section>
        {move || reading.get().map(|d| view! {
            <Modal title=d.event_type.clone() wide=true on_close=move |()| reading.set(None)>
                <div class="modal-body">
                    <p class="muted small">{format!("webhook-id {} · created ", d.event_id)} {date_time(&d.created_at)}</p>
                    {d.error.clone().map(|m| view! { <div class="alert alert-error" role="alert">{format!("Last attempt: {m}")}</div> })}
                    <pre class="email-body">{serde_json::to_string_pretty(&d.payload).unwrap_or_default()}</pre>
                </div>
            </Modal>
        })}
    }
}
