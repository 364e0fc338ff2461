//! "Get Mobile Analytics": a range, an interval and a time zone; totals and charts.

use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use types::analytics::{Analytics, Interval};

use crate::api;
use crate::charts::{BarChart, LineChart, Series};
use crate::components::{ErrorBox, Loading};

/// Today in the browser's time zone (`chrono`'s clock does not run in wasm).
fn browser_today() -> NaiveDate {
    let now = js_sys::Date::new_0();
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    NaiveDate::from_ymd_opt(
        now.get_full_year() as i32,
        now.get_month() + 1,
        now.get_date(),
    )
    .unwrap_or_default()
}

/// The browser's IANA time zone, when it tells.
fn browser_time_zone() -> Option<String> {
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &js_sys::Object::new());
    js_sys::Reflect::get(&format.resolved_options(), &"timeZone".into())
        .ok()
        .and_then(|v| v.as_string())
}

#[component]
pub fn AnalyticsTab(app_id: String) -> impl IntoView {
    let today = browser_today();
    let from = RwSignal::new((today - Duration::days(29)).to_string());
    let to = RwSignal::new(today.to_string());
    let interval = RwSignal::new("day".to_owned());
    let local_zone = browser_time_zone().filter(|z| z != "UTC");
    let tz = RwSignal::new(local_zone.clone().unwrap_or_else(|| "UTC".into()));
    let data = LocalResource::new(move || {
        let path = format!(
            "apps/{app_id}/analytics?from={}&to={}&interval={}&tz={}",
            from.get(),
            to.get(),
            interval.get(),
            api::encode(&tz.get())
        );
        async move { api::get::<Analytics>(&path).await }
    });
    let preset = move |days: i64| {
        let today = browser_today();
        from.set((today - Duration::days(days - 1)).to_string());
        to.set(today.to_string());
    };
    view! {
        <div class="filters card">
            <label class="field"><span>"From"</span>
                <input type="date" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev))/></label>
            <label class="field"><span>"To"</span>
                <input type="date" prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev))/></label>
            <label class="field"><span>"Interval"</span>
                <select prop:value=move || interval.get() on:change=move |ev| interval.set(event_target_value(&ev))>
                    <option value="day">"Day"</option>
                    <option value="week">"Week"</option>
                    <option value="month">"Month"</option>
                </select></label>
            <label class="field"><span>"Time zone"</span>
                <select prop:value=move || tz.get() on:change=move |ev| tz.set(event_target_value(&ev))>
                    {local_zone.map(|z| view! { <option value=z.clone()>{z.clone()}</option> })}
                    <option value="UTC">"UTC"</option>
                </select></label>
            <div class="field"><span>"Quick range"</span>
                <div>
                    <button class="button button-small" on:click=move |_| preset(7)>"7 days"</button>" "
                    <button class="button button-small" on:click=move |_| preset(30)>"30 days"</button>" "
                    <button class="button button-small" on:click=move |_| { preset(90); interval.set("week".into()); }>"90 days"</button>
                </div>
            </div>
        </div>
        <Transition fallback=|| view! { <Loading/> }>
            {move || data.get().map(|result| match result {
                Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                Ok(a) => charts(a).into_any(),
            })}
        </Transition>
    }
}

fn charts(a: Analytics) -> impl IntoView {
    let labels: Vec<String> = a
        .buckets
        .iter()
        .map(|b| match a.interval {
            Interval::Month => b.start.format("%b %Y").to_string(),
            _ => b.start.format("%-d %b").to_string(),
        })
        .collect();
    #[allow(clippy::cast_precision_loss)]
    let column = |f: fn(&types::analytics::Figures) -> f64| -> Vec<f64> {
        a.buckets.iter().map(|b| f(&b.figures)).collect()
    };
    let t = a.totals.clone();
    view! {
        <section class="stats" aria-label="Totals of the range">
            <div class="stat"><span class="stat-label">"New installs"</span><span class="stat-value">{t.installs}</span></div>
            <div class="stat"><span class="stat-label">"Active devices"</span><span class="stat-value">{t.active_devices}</span></div>
            <div class="stat"><span class="stat-label">"Sessions"</span><span class="stat-value">{t.sessions}</span></div>
            <div class="stat"><span class="stat-label">"Avg. session"</span><span class="stat-value">{duration(t.avg_session_secs)}</span></div>
            <div class="stat"><span class="stat-label">"Push opens"</span><span class="stat-value">{t.push_opens}</span></div>
            <div class="stat"><span class="stat-label">"Orders · revenue"</span><span class="stat-value">{format!("{} · {}", t.orders, money(t.revenue, a.currency.as_deref()))}</span></div>
        </section>
        <section class="card">
            <LineChart title="Active devices and sessions" labels=labels.clone() series=vec![
                Series { label: "Active devices", class: "series-1", values: column(|f| f.active_devices as f64) },
                Series { label: "Sessions", class: "series-2", values: column(|f| f.sessions as f64) },
            ]/>
        </section>
        <div class="grid-2 section-gap">
            <section class="card"><BarChart title="New installs" class="series-3" labels=labels.clone() values=column(|f| f.installs as f64)/></section>
            <section class="card"><LineChart title="Average session length (seconds)" labels=labels.clone() series=vec![
                Series { label: "Seconds", class: "series-4", values: column(|f| f.avg_session_secs) },
            ]/></section>
            <section class="card"><BarChart title="Push opens" class="series-1" labels=labels.clone() values=column(|f| f.push_opens as f64)/></section>
            <section class="card"><BarChart title="Orders" class="series-2" labels=labels values=column(|f| f.orders as f64)/>
                {(t.orders == 0).then(|| view! { <p class="muted small pad">"Orders and revenue appear here once the app takes orders (Standard edition)."</p> })}
            </section>
        </div>
        <p class="muted small">{format!("Days are counted in {}. Weeks start on Monday.", a.tz)}</p>
    }
}

/// Minor units as an amount: `12345` EUR as "EUR 123.45"; without a currency, "0".
fn money(minor: i64, currency: Option<&str>) -> String {
    match currency {
        Some(c) => crate::money::format(minor, c),
        None => minor.to_string(),
    }
}

/// `452.3` seconds as "7m 32s".
fn duration(secs: f64) -> String {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let secs = secs.round().max(0.0) as u64;
    if secs >= 60 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}
