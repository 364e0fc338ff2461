//! An app's figures over time, from what its devices report.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

crate::string_enum! {
    /// The length of one bucket.
    pub enum Interval {
        Day = "day",
        /// Weeks start on Monday.
        Week = "week",
        Month = "month",
    }
}

/// The range and the bucketing of an analytics query.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsQuery {
    /// First day, in `tz` (default: 29 days before `to`).
    pub from: Option<NaiveDate>,
    /// Last day, included, in `tz` (default: today). At most 400 buckets from `from`.
    pub to: Option<NaiveDate>,
    #[param(inline)]
    pub interval: Option<Interval>,
    /// IANA time zone the days are counted in (default `UTC`).
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64, example = "Europe/Amsterdam")]
    pub tz: Option<String>,
}

/// The figures of one bucket (or of the whole range, for `totals`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Figures {
    /// Devices first seen in the bucket.
    pub installs: i64,
    /// Distinct devices that reported anything in the bucket.
    pub active_devices: i64,
    /// Sessions started.
    pub sessions: i64,
    /// Mean length of the sessions that ended in the bucket, in seconds (0 when none did).
    pub avg_session_secs: f64,
    /// Push messages opened.
    pub push_opens: i64,
    /// Orders placed and not canceled, in every currency (Standard apps; zero otherwise).
    pub orders: i64,
    /// The value of the orders in `currency` (the app's main one), less refunds, in its minor
    /// units; other currencies are in `by_currency`.
    pub revenue: i64,
    /// Orders and revenue per currency, most orders first (empty without orders).
    #[serde(default)]
    pub by_currency: Vec<CurrencyFigures>,
}

/// Orders and their value, less refunds, in one currency.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CurrencyFigures {
    /// ISO 4217.
    pub currency: String,
    pub orders: i64,
    /// In minor units of `currency`.
    pub revenue: i64,
}

/// One bucket: its first day (clipped to `from`) and its figures.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Bucket {
    pub start: NaiveDate,
    #[serde(flatten)]
    pub figures: Figures,
}

/// An app's analytics over a range.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Analytics {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub interval: Interval,
    pub tz: String,
    /// ISO 4217 currency of `revenue`: the one with the most orders in the range (absent without
    /// orders).
    pub currency: Option<String>,
    pub buckets: Vec<Bucket>,
    /// The whole range: `active_devices` counts each device once.
    pub totals: Figures,
}
