//! Money on screen: integer minor units and an ISO 4217 code, shown in the browser's locale with
//! `Intl.NumberFormat` (which knows each currency's decimals: 2 for EUR, 0 for JPY, 3 for KWD).

use js_sys::{Array, Intl, Object, Reflect};
use wasm_bindgen::JsValue;

fn format_with(currency: &str) -> Option<Intl::NumberFormat> {
    let options = Object::new();
    Reflect::set(&options, &"style".into(), &"currency".into()).ok()?;
    Reflect::set(&options, &"currency".into(), &currency.into()).ok()?;
    Some(Intl::NumberFormat::new(&Array::new(), &options))
}

/// The currency's decimals (its minor unit): 2 when the browser does not know it.
pub fn digits(currency: &str) -> u32 {
    format_with(currency)
        .and_then(|f| Reflect::get(&f.resolved_options(), &"maximumFractionDigits".into()).ok())
        .and_then(|d| d.as_f64())
        .map_or(2, |d| d as u32)
}

/// `1999` `EUR` as "€19.99" (or "19,99 €", as the browser's locale writes it).
pub fn format(minor: i64, currency: &str) -> String {
    let major = minor as f64 / 10_f64.powi(digits(currency) as i32);
    format_with(currency)
        .and_then(|f| f.format().call1(&JsValue::NULL, &major.into()).ok())
        .and_then(|s| s.as_string())
        .unwrap_or_else(|| format!("{currency} {major}"))
}

/// `14900` `EUR` as "149.00": the amount as a person would type it.
pub fn plain(minor: i64, currency: &str) -> String {
    let digits = digits(currency);
    if digits == 0 {
        return minor.to_string();
    }
    let unit = 10_i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let (whole, fraction) = (minor.abs() / unit, minor.abs() % unit);
    format!("{sign}{whole}.{fraction:0width$}", width = digits as usize)
}

/// What a person typed ("19.99", "19,99", "20") in minor units of `currency`; `None` when it is
/// not an amount with at most the currency's decimals.
pub fn parse(text: &str, currency: &str) -> Option<i64> {
    let text = text.trim().replace(',', ".");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let digits = digits(currency) as usize;
    let all_digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > digits {
        return None;
    }
    let padded = format!("{whole}{fraction:0<digits$}");
    padded.parse().ok()
}
