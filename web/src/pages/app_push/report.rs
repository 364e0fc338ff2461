//! What a sent message did: deliveries, opens, failures by reason, per hour.

use leptos::prelude::*;
use types::push::{PushMessage, PushStatus, TestPush, TestPushResult};

use super::parts::*;
use crate::api;
use crate::charts::{number, BarChart, Period};
use crate::components::{date_time, use_toasts, ErrorBox, Loading, Modal, Tone};

/// A message's report; refreshed every two seconds while it is sending.
#[component]
pub(super) fn Report(app_id: String, message_id: String, on_close: Callback<()>) -> impl IntoView {
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
