//! One app: its header with the SDK key, key figures of the last 30 days, and the tabs
//! Analytics, Devices, Mobile users, Push, for Standard apps Orders and Quote requests, Billing
//! and Publish (`/apps/:id/:tab`), each loaded with its own chunk of the SPA.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use types::analytics::Analytics;
use types::apps::{App, AppEdition, AppKind};
use types::devices::DeviceSummary;
use types::ErrorCode;

use crate::api;
use crate::components::{
    edition_label, kind_label, use_toasts, AppIcon, Confirm, ErrorBox, Loading, Tone,
};
use crate::pages::app_analytics::AnalyticsTab;
use crate::pages::app_devices::DevicesTab;
use crate::pages::app_orders::OrdersTab;
use crate::pages::app_push::PushTab;
use crate::pages::app_quotes::QuotesTab;
use crate::pages::app_users::MobileUsersTab;
use crate::pages::billing::BillingTab;
use crate::pages::publishing::PublishTab;

#[component]
pub fn AppPage() -> impl IntoView {
    let params = use_params_map();
    // Memos: a change of tab must not read as a change of app (the app, its key figures and the
    // whole page were fetched and drawn again on every tab click).
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let tab =
        Memo::new(move |_| params.with(|p| p.get("tab").unwrap_or_else(|| "analytics".into())));
    let version = RwSignal::new(0_u32);
    let app = LocalResource::new(move || {
        version.track();
        let id = id.get();
        async move { api::get::<App>(&format!("apps/{id}")).await }
    });
    view! {
        <p class="small"><a href="/apps">"← All apps"</a></p>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || app.get().map(|result| match result {
                Err(e) if e.is(ErrorCode::NotFound) => view! {
                    <section class="card notice" role="note">
                        <h1>"App not found"</h1>
                        <p class="muted">"There is no app at this address that you can see: it may have been deleted, or belong to another account."</p>
                        <p><a class="button" href="/apps">"All apps"</a></p>
                    </section>
                }
                .into_any(),
                Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                Ok(app) => {
                    let base = format!("/apps/{}", app.id);
                    let tab_link = move |slug: &'static str, label: &'static str| {
                        let href = format!("{base}/{slug}");
                        view! { <a href=href aria-current=move || (tab.get() == slug).then_some("page")>{label}</a> }
                    };
                    let for_tabs = app.clone();
                    let standard = app.edition == AppEdition::Standard;
                    view! {
                        <div class="page-head">
                            <div class="app-head">
                                <AppIcon app=app.clone() large=true/>
                                <div>
                                    <h1>{app.name.clone()}</h1>
                                    <span class="badge badge-kind">{kind_label(app.kind)}</span>
                                    <span class="badge badge-edition">{edition_label(app.edition)}</span>
                                    <span class="muted small">{app.store_url.clone().unwrap_or_default()}</span>
                                </div>
                            </div>
                        </div>
                        <KeyBox app=app.clone() on_rotated=Callback::new(move |_| version.update(|v| *v += 1))/>
                        <KeyFigures app_id=app.id.clone()/>
                        <nav class="tabs" aria-label="App sections">
                            {tab_link("analytics", "Analytics")}
                            {tab_link("devices", "Devices")}
                            {tab_link("users", "Mobile users")}
                            {tab_link("push", "Push")}
                            {standard.then(|| tab_link("orders", "Orders"))}
                            {standard.then(|| tab_link("quotes", "Quote requests"))}
                            {tab_link("billing", "Billing")}
                            {tab_link("publish", "Publish")}
                        </nav>
                        {move || match tab.get().as_str() {
                            "devices" => lazily(devices_tab(for_tabs.id.clone())),
                            "users" => lazily(users_tab(for_tabs.clone())),
                            "push" => lazily(push_tab(for_tabs.id.clone())),
                            "orders" | "quotes" if !standard => view! { <StandardOnly/> }.into_any(),
                            "orders" => lazily(orders_tab(for_tabs.id.clone())),
                            "quotes" => lazily(quotes_tab(for_tabs.id.clone())),
                            "billing" => lazily(billing_tab(
                                for_tabs.id.clone(),
                                Callback::new(move |()| version.update(|v| *v += 1)),
                            )),
                            "publish" => lazily(publish_tab(for_tabs.id.clone())),
                            _ => lazily(analytics_tab(for_tabs.id.clone())),
                        }}
                    }.into_any()
                }
            })}
        </Suspense>
    }
}

/// A tab whose code is split off (below): "Loading…" while its chunk is fetched, the first time.
fn lazily(tab: impl std::future::Future<Output = AnyView> + Send + 'static) -> AnyView {
    view! { <Suspense fallback=|| view! { <Loading/> }>{Suspend::new(tab)}</Suspense> }.into_any()
}

// Each tab's code is a chunk of its own (`#[lazy]`), fetched the first time the tab opens.

#[lazy]
fn analytics_tab(app_id: String) -> AnyView {
    view! { <AnalyticsTab app_id/> }.into_any()
}

#[lazy]
fn devices_tab(app_id: String) -> AnyView {
    view! { <DevicesTab app_id/> }.into_any()
}

#[lazy]
fn users_tab(app: App) -> AnyView {
    view! { <MobileUsersTab app/> }.into_any()
}

#[lazy]
fn push_tab(app_id: String) -> AnyView {
    view! { <PushTab app_id/> }.into_any()
}

#[lazy]
fn orders_tab(app_id: String) -> AnyView {
    view! { <OrdersTab app_id/> }.into_any()
}

#[lazy]
fn quotes_tab(app_id: String) -> AnyView {
    view! { <QuotesTab app_id/> }.into_any()
}

#[lazy]
fn billing_tab(app_id: String, on_change: Callback<()>) -> AnyView {
    view! { <BillingTab app_id on_change/> }.into_any()
}

#[lazy]
fn publish_tab(app_id: String) -> AnyView {
    view! { <PublishTab app_id/> }.into_any()
}

/// What a Basic app shows at an orders or quote requests address.
#[component]
fn StandardOnly() -> impl IntoView {
    view! {
        <section class="card notice" role="note">
            <h2>"Orders and quote requests need the Standard edition"</h2>
            <p class="muted">"This is a Basic app: it does not take orders or quote requests. Switch it to the Standard edition (Edit app) to trace mobile purchases and answer requests for prices."</p>
        </section>
    }
}

/// The public key the app sends to the SDK API: copy, rotate.
#[component]
fn KeyBox(app: App, on_rotated: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let confirming = RwSignal::new(false);
    let key = app.app_key.clone();
    let copy = move |_| toasts.copy(key.clone(), "App key");
    let id = app.id.clone();
    let rotate = move |_| {
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match api::post::<App>(&format!("apps/{id}/rotate-key"), &serde_json::json!({})).await {
                Ok(_) => {
                    toasts.show(
                        Tone::Success,
                        "New key created. The old key no longer works.",
                    );
                    on_rotated.run(());
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
            confirming.set(false);
        });
    };
    let magento_hint = (app.kind == AppKind::Magento && app.store_url.is_none())
        .then(|| view! { <span class="badge badge-warning">"Store not connected"</span> });
    view! {
        <section class="card">
            <div class="key-box">
                <strong>"App key"</strong>
                <code aria-label="App key">{app.app_key.clone()}</code>
                <button class="button button-small" on:click=copy>"Copy"</button>
                <button class="button button-small button-danger-quiet" on:click=move |_| confirming.set(true)>"Rotate key"</button>
                {magento_hint}
                <span class="muted small">"The mobile app sends it as " <code>"X-App-Key"</code> " to the SDK API."</span>
            </div>
        </section>
        <Show when=move || confirming.get()>
            <Confirm
                title="Rotate the app key?".to_owned()
                message="The current key stops working at once: installed apps that still use it can no longer report. Ship an app update with the new key.".to_owned()
                confirm_label="Rotate key".to_owned()
                on_confirm=Callback::new(rotate.clone())
                on_cancel=Callback::new(move |_| confirming.set(false))
            />
        </Show>
    }
}

/// The app at a glance: its installed base, and the last 30 days.
#[component]
fn KeyFigures(app_id: String) -> impl IntoView {
    let figures = LocalResource::new(move || {
        let (devices, analytics) = (
            format!("apps/{app_id}/devices/summary"),
            format!("apps/{app_id}/analytics"),
        );
        async move {
            let devices = api::get::<DeviceSummary>(&devices).await?;
            api::get::<Analytics>(&analytics)
                .await
                .map(|a| (devices, a))
        }
    });
    view! {
        <Suspense fallback=|| ()>
            {move || figures.get().and_then(Result::ok).map(|(d, a)| {
                let t = a.totals;
                view! {
                    <section class="stats" aria-label="Key figures">
                        <div class="stat"><span class="stat-label">"Devices"</span><span class="stat-value">{count(d.total)}</span></div>
                        <div class="stat"><span class="stat-label">"Reachable by push"</span><span class="stat-value">{count(d.push_enabled)}</span></div>
                        <div class="stat"><span class="stat-label">"Active, last 30 days"</span><span class="stat-value">{count(t.active_devices)}</span></div>
                        <div class="stat"><span class="stat-label">"Sessions, last 30 days"</span><span class="stat-value">{count(t.sessions)}</span></div>
                    </section>
                }
            })}
        </Suspense>
    }
}

/// A count as the viewer's locale writes it.
#[allow(clippy::cast_precision_loss)]
fn count(n: i64) -> String {
    crate::charts::number(n as f64)
}
