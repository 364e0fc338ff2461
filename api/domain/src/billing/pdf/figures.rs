//! Money, percentages and days as the invoice prints them.

use super::*;

/// Decimals of a currency's minor unit.
pub fn minor_digits(currency: &str) -> u32 {
    const NONE: &[&str] = &[
        "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV",
        "XAF", "XOF", "XPF",
    ];
    const THREE: &[&str] = &["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
    if NONE.contains(&currency) {
        0
    } else if THREE.contains(&currency) {
        3
    } else {
        2
    }
}

/// `4900` `EUR` as `49.00 EUR` (thousands grouped with a comma).
pub fn money(minor: i64, currency: &str) -> String {
    let digits = minor_digits(currency);
    let unit = 10_i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let whole = (minor.abs() / unit).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if digits == 0 {
        format!("{sign}{grouped} {currency}")
    } else {
        let fraction = minor.abs() % unit;
        format!(
            "{sign}{grouped}.{fraction:0w$} {currency}",
            w = digits as usize
        )
    }
}

pub(super) fn percent(basis_points: i32) -> String {
    let whole = basis_points / 100;
    match basis_points % 100 {
        0 => format!("{whole} %"),
        rest => format!("{whole}.{} %", format!("{rest:02}").trim_end_matches('0')),
    }
}

pub(super) fn day(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%d").to_string()
}
