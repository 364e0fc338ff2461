//! "Manage devices": which device types the app runs on (breakdown charts) and every device,
//! filtered, paged by cursor.

use leptos::prelude::*;
use types::devices::{Device, DeviceFilter, DeviceSummary};
use types::{query, Page, PageQuery};

use crate::api;
use crate::charts::{platform_name, ShareBars};
use crate::components::{date_time, url_state, Empty, ErrorBox, Loading};

const PER_PAGE: u32 = 25;

#[component]
pub fn DevicesTab(app_id: String) -> impl IntoView {
    let platform = url_state("platform", String::new());
    let model = url_state("model", String::new());
    let os_version = url_state("os_version", String::new());
    let app_version = url_state("app_version", String::new());
    let push = url_state("push_enabled", String::new());
    let seen_from = url_state("last_seen_from", String::new());
    let seen_to = url_state("last_seen_to", String::new());
    // Cursors of the pages before this one; the top is this page's.
    let cursors = RwSignal::new(Vec::<String>::new());

    let filter = move || DeviceFilter {
        platform: query::parsed(&platform.get()),
        model: query::text(&model.get()),
        os_version: query::text(&os_version.get()),
        app_version: query::text(&app_version.get()),
        push_enabled: query::parsed(&push.get()),
        last_seen_from: query::parsed(&seen_from.get()),
        last_seen_to: query::parsed(&seen_to.get()),
    };
    let summary_app = app_id.clone();
    let summary = LocalResource::new(move || {
        let path = query::path_with(&format!("apps/{summary_app}/devices/summary"), &filter());
        async move { api::get::<DeviceSummary>(&path).await }
    });
    let list = LocalResource::new(move || {
        let page = PageQuery::after(cursors.get().last().cloned(), PER_PAGE);
        let path = query::list_path(&format!("apps/{app_id}/devices"), &filter(), &page);
        async move { api::get::<Page<Device>>(&path).await }
    });
    let refilter = move |signal: RwSignal<String>| {
        move |ev: leptos::ev::Event| {
            cursors.set(Vec::new());
            signal.set(event_target_value(&ev));
        }
    };

    view! {
        <div class="filters card">
            <label class="field"><span>"Platform"</span>
                <select on:change=refilter(platform) prop:value=move || platform.get()>
                    <option value="">"All"</option>
                    <option value="ios">"iOS"</option>
                    <option value="android">"Android"</option>
                </select></label>
            <label class="field"><span>"Model"</span><input placeholder="iPhone 15" prop:value=move || model.get() on:change=refilter(model)/></label>
            <label class="field"><span>"OS version"</span><input placeholder="17.4" size="8" prop:value=move || os_version.get() on:change=refilter(os_version)/></label>
            <label class="field"><span>"App version"</span><input placeholder="2.3.0" size="8" prop:value=move || app_version.get() on:change=refilter(app_version)/></label>
            <label class="field"><span>"Push"</span>
                <select on:change=refilter(push) prop:value=move || push.get()>
                    <option value="">"All"</option>
                    <option value="true">"Enabled"</option>
                    <option value="false">"Disabled"</option>
                </select></label>
            <label class="field"><span>"Last seen from"</span><input type="date" prop:value=move || seen_from.get() on:change=refilter(seen_from)/></label>
            <label class="field"><span>"to"</span><input type="date" prop:value=move || seen_to.get() on:change=refilter(seen_to)/></label>
        </div>

        <Transition fallback=|| view! { <Loading/> }>
            {move || summary.get().map(|result| match result {
                Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                Ok(s) => {
                    #[allow(clippy::cast_precision_loss)]
                    let push_share = if s.total == 0 { 0.0 } else { s.push_enabled as f64 * 100.0 / s.total as f64 };
                    view! {
                        <section class="stats" aria-label="Devices">
                            <div class="stat"><span class="stat-label">"Devices"</span><span class="stat-value">{crate::charts::number(s.total as f64)}</span></div>
                            <div class="stat"><span class="stat-label">"Push enabled"</span><span class="stat-value">{format!("{} ({push_share:.0}%)", crate::charts::number(s.push_enabled as f64))}</span></div>
                            <div class="stat"><span class="stat-label">"Most used model"</span><span class="stat-value small-value">{s.by_model.first().map(|m| m.value.clone()).unwrap_or_else(|| "—".into())}</span></div>
                        </section>
                        <div class="grid-2 section-gap">
                            <ShareBars title="Platforms" shares=s.by_platform/>
                            <ShareBars title="Models" shares=s.by_model/>
                            <ShareBars title="OS versions" shares=s.by_os_version/>
                            <ShareBars title="App versions" shares=s.by_app_version/>
                        </div>
                    }.into_any()
                }
            })}
        </Transition>

        <div class="card">
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <Empty title="No devices" hint="Devices appear when the app registers through the SDK."/>
                    }.into_any(),
                    Ok(p) => {
                        let next = p.next_cursor.clone();
                        let depth = cursors.with(Vec::len);
                        view! {
                            <div class="table-wrap">
                                <table>
                                    <thead><tr>
                                        <th scope="col">"Device"</th><th scope="col">"OS"</th><th scope="col">"App version"</th>
                                        <th scope="col">"Locale"</th><th scope="col">"Push"</th>
                                        <th scope="col">"Installed"</th><th scope="col">"Last seen"</th>
                                    </tr></thead>
                                    <tbody>
                                        {p.items.into_iter().map(|d| view! {
                                            <tr>
                                                <td><strong>{d.model.clone()}</strong><div class="muted small" title="Installation id">{d.installation_id.clone()}</div></td>
                                                <td class="nowrap">{format!("{} {}", platform_name(d.platform), d.os_version)}</td>
                                                <td>{d.app_version.clone()}</td>
                                                <td>{d.locale.clone().unwrap_or_else(|| "—".into())}</td>
                                                <td>{if d.push_enabled { view! { <span class="badge badge-success">"On"</span> } } else { view! { <span class="badge">"Off"</span> } }}</td>
                                                <td class="nowrap">{date_time(&d.first_seen_at)}</td>
                                                <td class="nowrap">{date_time(&d.last_seen_at)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <nav class="pager" aria-label="Pagination">
                                <span class="muted">{format!("{} devices · page {}", p.total, depth + 1)}</span>
                                <button class="button" disabled=depth == 0 on:click=move |_| cursors.update(|c| { c.pop(); })>"Previous"</button>
                                <button class="button" disabled=next.is_none() on:click=move |_| if let Some(n) = next.clone() { cursors.update(|c| c.push(n)); }>"Next"</button>
                            </nav>
                        }.into_any()
                    }
                })}
            </Transition>
        </div>
    }
}
