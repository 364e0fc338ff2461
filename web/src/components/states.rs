//! Small shared pieces: status badges, loading / empty / error states, the pager, dates.

use leptos::prelude::*;
use types::accounts::AccountStatus;

pub fn status_label(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::PendingActivation => "Pending activation",
        AccountStatus::Activated => "Activated",
        AccountStatus::Locked => "Locked",
    }
}

#[component]
pub fn StatusBadge(status: AccountStatus) -> impl IntoView {
    let class = match status {
        AccountStatus::PendingActivation => "badge badge-warning",
        AccountStatus::Activated => "badge badge-success",
        AccountStatus::Locked => "badge badge-danger",
    };
    view! { <span class=class>{status_label(status)}</span> }
}

/// A page the signed-in role does not use: its title and why, with a way back — no filters, no
/// buttons and no error from the API under them.
#[component]
pub fn NotForYou(title: &'static str, heading: &'static str, why: &'static str) -> impl IntoView {
    view! {
        <div class="page-head"><h1>{title}</h1></div>
        <section class="card notice" role="note">
            <h2>{heading}</h2>
            <p class="muted">{why}</p>
            <p><a href="/">"Back to the dashboard"</a></p>
        </section>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <div class="loading" aria-busy="true"><span class="spinner"></span>"Loading…"</div> }
}

#[component]
pub fn Empty(title: &'static str, hint: &'static str) -> impl IntoView {
    view! { <div class="empty"><p class="empty-title">{title}</p><p class="muted">{hint}</p></div> }
}

#[component]
pub fn ErrorBox(message: String) -> impl IntoView {
    view! { <div class="alert alert-error" role="alert">{message}</div> }
}

/// Previous / next with "1–20 of 57". `label` names it where a page has several lists.
#[component]
pub fn Pager(
    page: RwSignal<u32>,
    per_page: u32,
    total: i64,
    #[prop(default = "Pagination")] label: &'static str,
) -> impl IntoView {
    let first = (i64::from(page.get_untracked()) - 1) * i64::from(per_page) + 1;
    let last = (first + i64::from(per_page) - 1).min(total);
    let has_next = last < total;
    view! {
        <nav class="pager" aria-label=label>
            <span class="muted">{if total == 0 { "0 results".to_owned() } else { format!("{first}–{last} of {total}") }}</span>
            <button class="button" disabled=move || page.get() <= 1 on:click=move |_| page.update(|p| *p -= 1)>"Previous"</button>
            <button class="button" disabled=!has_next on:click=move |_| page.update(|p| *p += 1)>"Next"</button>
        </nav>
    }
}

/// "22 Nov 2026" for an RFC 3339 time.
pub fn date(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%-d %b %Y").to_string()
}

/// A moment in the viewer's own time zone and locale, with the zone named: "26 Nov 2026, 21:04
/// CET" (or "Nov 26, 2026, 9:04 PM CET", as the browser's locale writes it).
pub fn date_time(t: &chrono::DateTime<chrono::Utc>) -> String {
    use js_sys::{Array, Intl, Object, Reflect};
    #[allow(clippy::cast_precision_loss)]
    let moment = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(t.timestamp_millis() as f64));
    let options = Object::new();
    for (key, value) in [
        ("day", "numeric"),
        ("month", "short"),
        ("year", "numeric"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("timeZoneName", "short"),
    ] {
        let _ = Reflect::set(&options, &key.into(), &value.into());
    }
    Intl::DateTimeFormat::new(&Array::new(), &options)
        .format()
        .call1(&wasm_bindgen::JsValue::NULL, &moment)
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| t.format("%-d %b %Y %H:%M UTC").to_string())
}

/// A dashboard alert: "`count` `what`" with a lead text, up to five links to the items, and a link
/// to the whole list. Nothing when `count` is 0.
#[component]
pub fn ListAlert(
    id: &'static str,
    count: i64,
    /// Singular and plural: ("subscription past due", "subscriptions past due").
    what: (&'static str, &'static str),
    lead: &'static str,
    links: Vec<(Option<String>, String)>,
    all: (&'static str, &'static str),
) -> impl IntoView {
    (count > 0).then(|| view! {
        <section class="alert alert-error past-due" role="status" aria-labelledby=id>
            <strong id=id>{format!("{count} {}", if count == 1 { what.0 } else { what.1 })}</strong>
            <span>{lead}</span>
            {links.into_iter().map(|(href, text)| match href {
                Some(href) => view! { <a href=href>{text}</a>" " }.into_any(),
                None => view! { <span>{text}" "</span> }.into_any(),
            }).collect_view()}
            <a href=all.0>{all.1}</a>
        </section>
    })
}
