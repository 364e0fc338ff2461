//! "Get Mobile Analytics": a range, an interval and a time zone; totals and charts.

use chrono::{Duration, NaiveDate};
use leptos::prelude::*;
use types::analytics::{Analytics, AnalyticsQuery, Interval};
use types::query;

use crate::api;
use wasm_bindgen::JsCast;

use crate::charts::{number, BarChart, LineChart, Period, Series};
use crate::components::{range_backwards, url_state, ErrorBox, Loading, RANGE_BACKWARDS};

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

/// Every IANA time zone the browser knows (`Intl.supportedValuesOf`), UTC first.
fn every_time_zone() -> Vec<String> {
    use js_sys::{Function, Reflect};
    let intl = Reflect::get(&js_sys::global(), &"Intl".into()).ok();
    let zones = intl.and_then(|intl| {
        let list = Reflect::get(&intl, &"supportedValuesOf".into()).ok()?;
        let list: Function = list.dyn_into().ok()?;
        let zones: js_sys::Array = list
            .call1(&intl, &"timeZone".into())
            .ok()?
            .dyn_into()
            .ok()?;
        Some(
            zones
                .iter()
                .filter_map(|z| z.as_string())
                .collect::<Vec<_>>(),
        )
    });
    let mut all = vec!["UTC".to_owned()];
    all.extend(zones.unwrap_or_default().into_iter().filter(|z| z != "UTC"));
    all
}

#[component]
pub fn AnalyticsTab(app_id: String) -> impl IntoView {
    let today = browser_today();
    let from = url_state("from", (today - Duration::days(29)).to_string());
    let to = url_state("to", today.to_string());
    let interval = url_state("interval", "day".to_owned());
    let tz = url_state("tz", browser_time_zone().unwrap_or_else(|| "UTC".into()));
    let zones = every_time_zone();
    let backwards = range_backwards(from, to);
    let data = LocalResource::new(move || {
        let range = AnalyticsQuery {
            from: query::parsed(&from.get()),
            to: query::parsed(&to.get()),
            interval: query::parsed(&interval.get()),
            tz: query::text(&tz.get()),
        };
        let path = query::path_with(&format!("apps/{app_id}/analytics"), &range);
        let backwards = backwards();
        async move {
            if backwards {
                return Err(api::ApiError::local(RANGE_BACKWARDS));
            }
            api::get::<Analytics>(&path).await
        }
    });
    let preset = move |days: i64| {
        let today = browser_today();
        from.set((today - Duration::days(days - 1)).to_string());
        to.set(today.to_string());
    };
    view! {
        <div class="filters card">
            <label class="field"><span>"From"</span>
                <input type="date" prop:value=move || from.get() on:change=move |ev| from.set(event_target_value(&ev))
                    aria-invalid=move || backwards().to_string() aria-describedby=move || backwards().then_some("range-error")/></label>
            <label class="field"><span>"To"</span>
                <input type="date" prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev))
                    aria-invalid=move || backwards().to_string() aria-describedby=move || backwards().then_some("range-error")/></label>
            <label class="field"><span>"Interval"</span>
                <select prop:value=move || interval.get() on:change=move |ev| interval.set(event_target_value(&ev))>
                    <option value="day">"Day"</option>
                    <option value="week">"Week"</option>
                    <option value="month">"Month"</option>
                </select></label>
            <label class="field"><span>"Time zone"</span>
                <select prop:value=move || tz.get() on:change=move |ev| tz.set(event_target_value(&ev))>
                    {zones.into_iter().map(|z| view! { <option value=z.clone()>{z.replace('_', " ")}</option> }).collect_view()}
                </select></label>
            <div class="field"><span>"Quick range"</span>
                <div>
                    <button class="button button-small" on:click=move |_| preset(7)>"7 days"</button>" "
                    <button class="button button-small" on:click=move |_| preset(30)>"30 days"</button>" "
                    <button class="button button-small" on:click=move |_| { preset(90); interval.set("week".into()); }>"90 days"</button>
                </div>
            </div>
            {move || backwards().then(|| view! {
                <p class="field-error span-all" id="range-error">{RANGE_BACKWARDS}</p>
            })}
        </div>
        <Transition fallback=|| view! { <Loading/> }>
            {move || data.get().map(|result| match result {
                Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                Ok(a) => charts(a, browser_today()).into_any(),
            })}
        </Transition>
    }
}

/// The day after the last day of the period starting on `start`.
fn period_end(start: NaiveDate, interval: Interval) -> NaiveDate {
    match interval {
        Interval::Day => start + Duration::days(1),
        Interval::Week => start + Duration::days(7),
        Interval::Month => start
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(start),
    }
}

/// The chart's periods: labels, names, and which are not whole: cut by the range, or not over
/// yet (today is never over while someone looks at it).
fn periods(a: &Analytics, today: NaiveDate) -> Vec<Period> {
    a.buckets
        .iter()
        .map(|b| {
            let end = period_end(b.start, a.interval);
            let (tick, name) = match a.interval {
                Interval::Day => (
                    b.start.format("%-d %b").to_string(),
                    b.start.format("%a %-d %b %Y").to_string(),
                ),
                Interval::Week => (
                    b.start.format("%-d %b").to_string(),
                    format!("Week of {}", b.start.format("%-d %b %Y")),
                ),
                Interval::Month => (
                    b.start.format("%b %Y").to_string(),
                    b.start.format("%B %Y").to_string(),
                ),
            };
            let partial = b.start < a.from || end > a.to + Duration::days(1) || end > today;
            Period {
                tick,
                name,
                partial,
            }
        })
        .collect()
}

fn charts(a: Analytics, today: NaiveDate) -> impl IntoView {
    let periods = periods(&a, today);
    // Periods that have not begun have no figures yet: gaps, not zeros.
    #[allow(clippy::cast_precision_loss)]
    let column = |f: fn(&types::analytics::Figures) -> Option<f64>| -> Vec<Option<f64>> {
        a.buckets
            .iter()
            .map(|b| if b.start > today { None } else { f(&b.figures) })
            .collect()
    };
    let t = a.totals.clone();
    #[allow(clippy::cast_precision_loss)]
    let n = |v: i64| number(v as f64);
    view! {
        <section class="stats" aria-label="Totals of the range">
            <div class="stat"><span class="stat-label">"New installs"</span><span class="stat-value">{n(t.installs)}</span></div>
            <div class="stat"><span class="stat-label">"Active devices"</span><span class="stat-value">{n(t.active_devices)}</span></div>
            <div class="stat"><span class="stat-label">"Sessions"</span><span class="stat-value">{n(t.sessions)}</span></div>
            <div class="stat"><span class="stat-label">"Avg. session"</span><span class="stat-value">{if t.sessions == 0 { "—".to_owned() } else { duration(t.avg_session_secs) }}</span></div>
            <div class="stat"><span class="stat-label">"Push opens"</span><span class="stat-value">{n(t.push_opens)}</span></div>
            <div class="stat"><span class="stat-label">"Orders · revenue"</span><span class="stat-value">{format!("{} · {}", n(t.orders), money(t.revenue, a.currency.as_deref()))}</span></div>
        </section>
        <section class="card">
            <LineChart title="Active devices and sessions" periods=periods.clone() series=vec![
                Series { label: "Active devices", class: "series-1", values: column(|f| Some(f.active_devices as f64)), summable: false },
                Series { label: "Sessions", class: "series-2", values: column(|f| Some(f.sessions as f64)), summable: true },
            ]/>
        </section>
        <div class="grid-2 section-gap">
            <section class="card"><BarChart title="New installs" class="series-3" periods=periods.clone() values=column(|f| Some(f.installs as f64))/></section>
            <section class="card"><LineChart title="Average session length (seconds)" periods=periods.clone() series=vec![
                // A period without sessions has no average.
                Series { label: "Seconds", class: "series-4", values: column(|f| (f.sessions > 0).then_some(f.avg_session_secs)), summable: false },
            ]/></section>
            <section class="card"><BarChart title="Push opens" class="series-1" periods=periods.clone() values=column(|f| Some(f.push_opens as f64))/></section>
            <section class="card"><BarChart title="Orders" class="series-2" periods=periods values=column(|f| Some(f.orders as f64))/>
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
