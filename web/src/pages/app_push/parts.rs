//! What the push tab's parts share: badges, times in the viewer's zone, data fields, files.

use std::collections::BTreeMap;

use leptos::prelude::*;
use types::push::{PushMessage, PushSettings, PushStatus};

use crate::components::date_time;

pub(super) fn status_badge(status: PushStatus) -> impl IntoView {
    let class = match status {
        PushStatus::Draft => "badge",
        PushStatus::Scheduled | PushStatus::Sending => "badge badge-warning",
        PushStatus::Sent => "badge badge-success",
        PushStatus::Failed | PushStatus::Canceled => "badge badge-danger",
    };
    view! { <span class=class>{status.label()}</span> }
}

/// When a message goes, in a few words.
pub(super) fn when(msg: &PushMessage) -> String {
    match (&msg.local_time, &msg.send_at, msg.status) {
        (Some(t), _, _) => format!("{t}, each device's local time"),
        (None, Some(at), _) => date_time(at),
        (None, None, _) => "—".to_owned(),
    }
}

pub(super) fn percent(rate: f64) -> String {
    format!("{:.1} %", rate * 100.0)
}

/// What the tab says about where pushes go, when some only reach the server's log.
pub(super) fn gateway_note(s: &PushSettings) -> Option<String> {
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
pub(super) fn parse_data(text: &str) -> Option<BTreeMap<String, String>> {
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

pub(super) fn optional(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// A `datetime-local` value (the viewer's zone) as a UTC instant.
pub(super) fn local_to_utc(value: &str) -> Option<chrono::DateTime<chrono::Utc>> {
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
pub(super) fn utc_to_local(at: &chrono::DateTime<chrono::Utc>) -> String {
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

pub(super) fn reason_text(reason: &str) -> &'static str {
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
pub(super) fn read_file(ev: leptos::ev::Event, into: RwSignal<String>) {
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
