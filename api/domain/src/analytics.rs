//! An app's analytics: the range cut into day / week / month buckets in the asked time zone,
//! then filled by SQL aggregates over the app's events and devices.

use chrono::{Datelike, Days, Months, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use types::analytics::{Analytics, AnalyticsQuery, Bucket, CurrencyFigures, Figures, Interval};

use crate::db::events::{self, Buckets};
use crate::db::rollups;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::sketch::Sketch;

/// More buckets than this make a chart nobody can read (and a query nobody should wait for). The
/// query has one SELECT per bucket: SQLite allows 500 in one compound statement.
pub const MAX_BUCKETS: usize = 400;

/// A query with its defaults applied and its range cut into buckets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub interval: Interval,
    pub tz: Tz,
    /// First local day of each bucket (the first one is `from`).
    pub days: Vec<NaiveDate>,
    /// The UTC instant each bucket starts at.
    pub starts: Vec<NaiveDateTime>,
    /// The UTC instant the range ends at (the day after `to`, local midnight).
    pub end: NaiveDateTime,
}

impl Plan {
    /// Checks and completes a query; `today` is the current UTC date.
    pub fn new(query: &AnalyticsQuery, today: NaiveDateTime) -> AppResult<Self> {
        let tz: Tz = match query.tz.as_deref() {
            None => Tz::UTC,
            Some(name) => name.parse().map_err(|_| {
                AppError::invalid_field("tz", "must be an IANA time zone such as Europe/Amsterdam")
            })?,
        };
        let interval = query.interval.unwrap_or(Interval::Day);
        let to = query
            .to
            .unwrap_or_else(|| tz.from_utc_datetime(&today).date_naive());
        let from = match query.from {
            Some(from) => from,
            None => to.checked_sub_days(Days::new(29)).unwrap_or(to),
        };
        if from > to {
            return Err(AppError::invalid_field("from", "must not be after `to`"));
        }
        let too_many = || {
            AppError::invalid_field(
                "to",
                format!(
                    "the range holds more than {MAX_BUCKETS} buckets: choose a longer interval"
                ),
            )
        };
        let mut days = vec![from];
        loop {
            let last = *days.last().unwrap_or(&from);
            let next = match interval {
                Interval::Day => last.checked_add_days(Days::new(1)),
                Interval::Week => last.checked_add_days(Days::new(
                    7 - u64::from(last.weekday().num_days_from_monday()),
                )),
                Interval::Month => last
                    .with_day(1)
                    .and_then(|d| d.checked_add_months(Months::new(1))),
            };
            match next {
                Some(next) if next <= to => {
                    if days.len() == MAX_BUCKETS {
                        return Err(too_many());
                    }
                    days.push(next);
                }
                _ => break,
            }
        }
        let end_day = to.checked_add_days(Days::new(1)).unwrap_or(to);
        Ok(Self {
            starts: days.iter().map(|d| local_midnight(tz, *d)).collect(),
            end: local_midnight(tz, end_day),
            from,
            to,
            interval,
            tz,
            days,
        })
    }

    /// Fills the buckets from the rollups where the buckets allow it (see [`Source`]), else from
    /// the raw events.
    pub fn run(&self, conn: &mut DbConn, app_id: i64) -> AppResult<Analytics> {
        // One snapshot: a fold moving queued additions into the rollups between two reads would
        // otherwise be counted twice or not at all.
        crate::db::snapshot(conn, |conn| self.compute(conn, app_id, Source::Rollups))
    }

    /// Fills the buckets from the raw events and devices alone: what the rollups must equal.
    pub fn run_from_events(&self, conn: &mut DbConn, app_id: i64) -> AppResult<Analytics> {
        self.compute(conn, app_id, Source::Events)
    }

    /// Whether every bucket boundary falls on a multiple of `length` (UTC).
    fn aligned(&self, length: chrono::TimeDelta) -> bool {
        use chrono::DurationRound;
        self.starts
            .iter()
            .chain([&self.end])
            .all(|t| t.duration_trunc(length).is_ok_and(|floor| floor == *t))
    }

    fn compute(&self, conn: &mut DbConn, app_id: i64, source: Source) -> AppResult<Analytics> {
        let buckets = Buckets {
            starts: &self.starts,
            end: self.end,
        };
        let rollups = source == Source::Rollups;
        let sums_from_rollups = rollups && self.aligned(rollups::QUARTER);
        let devices_from_rollups = rollups && self.aligned(rollups::HOUR);
        let mut figures = vec![Figures::default(); self.days.len()];
        // Per bucket: sessions that ended, and the sum of their lengths.
        let mut lengths = vec![(0_i64, 0_i64); self.days.len()];
        let bucket_of = |t: &NaiveDateTime| {
            self.starts
                .partition_point(|start| start <= t)
                .saturating_sub(1)
        };
        // Queued additions the fold job has not moved into the rollups yet count as quarters too.
        let pending = if rollups {
            rollups::pending_between(conn, app_id, self.starts[0], self.end)?
        } else {
            Vec::new()
        };
        if sums_from_rollups {
            let quarters = rollups::quarters_between(conn, app_id, self.starts[0], self.end)?;
            let queued = pending.iter().map(|p| (p.starts_at, p.sums));
            for (t, q) in quarters.into_iter().chain(queued) {
                let i = bucket_of(&t);
                let f = &mut figures[i];
                f.sessions += q.sessions;
                f.push_opens += q.push_opens;
                f.installs += q.installs;
                lengths[i].0 += q.ended;
                lengths[i].1 += q.duration;
            }
        }
        if !sums_from_rollups || !devices_from_rollups {
            for row in events::figures_by_bucket(conn, app_id, &buckets)? {
                let Some(i) = index(&figures, row.bucket) else {
                    continue;
                };
                let f = &mut figures[i];
                f.active_devices = row.active_devices;
                if !sums_from_rollups {
                    f.sessions = row.sessions;
                    f.push_opens = row.push_opens;
                    lengths[i] = (row.ended, row.duration);
                }
            }
        }
        if !sums_from_rollups {
            for row in events::installs_by_bucket(conn, app_id, &buckets)? {
                if let Some(i) = index(&figures, row.bucket) {
                    figures[i].installs = row.n;
                }
            }
        }
        let mut totals = Figures::default();
        for (f, (ended, duration)) in figures.iter_mut().zip(&lengths) {
            f.avg_session_secs = mean(*duration, *ended);
            totals.sessions += f.sessions;
            totals.push_opens += f.push_opens;
            totals.installs += f.installs;
        }
        let (ended, duration) = lengths
            .iter()
            .fold((0, 0), |(e, d), (be, bd)| (e + be, d + bd));
        totals.avg_session_secs = mean(duration, ended);
        if devices_from_rollups {
            let mut per_bucket = vec![Sketch::default(); figures.len()];
            let hours = rollups::device_hours(conn, app_id, self.starts[0], self.end)?;
            let queued = pending
                .iter()
                .filter_map(|p| Some((p.starts_at, p.devices.as_ref()?)));
            for (t, sketch) in hours.iter().map(|(t, s)| (*t, s)).chain(queued) {
                per_bucket[bucket_of(&t)].merge(sketch);
            }
            // The range is the union of its buckets.
            let mut range = Sketch::default();
            for (f, sketch) in figures.iter_mut().zip(&per_bucket) {
                f.active_devices = sketch.count();
                range.merge(sketch);
            }
            totals.active_devices = range.count();
        } else {
            totals.active_devices = events::active_devices(conn, app_id, &buckets)?;
        }
        let orders: Vec<(usize, String, i64, i64)> = if sums_from_rollups {
            events::orders_by_quarter(conn, app_id, self.starts[0], self.end)?
                .into_iter()
                .map(|r| (bucket_of(&r.starts_at), r.currency, r.orders, r.revenue))
                .collect()
        } else {
            events::orders_by_bucket(conn, app_id, &buckets)?
                .into_iter()
                .filter_map(|r| Some((index(&figures, r.bucket)?, r.currency, r.orders, r.revenue)))
                .collect()
        };
        for (i, currency, count, revenue) in orders {
            add_orders(&mut figures[i], &currency, count, revenue);
            add_orders(&mut totals, &currency, count, revenue);
        }
        // Revenue is summed in the currency with the most orders; the others are beside it.
        for f in figures.iter_mut().chain([&mut totals]) {
            f.by_currency
                .sort_by(|a, b| b.orders.cmp(&a.orders).then(a.currency.cmp(&b.currency)));
        }
        let currency = totals.by_currency.first().map(|c| c.currency.clone());
        for f in figures.iter_mut().chain([&mut totals]) {
            f.revenue = f
                .by_currency
                .iter()
                .find(|c| Some(&c.currency) == currency.as_ref())
                .map_or(0, |c| c.revenue);
        }
        Ok(Analytics {
            from: self.from,
            to: self.to,
            interval: self.interval,
            tz: self.tz.name().to_owned(),
            currency,
            buckets: self
                .days
                .iter()
                .zip(figures)
                .map(|(start, figures)| Bucket {
                    start: *start,
                    figures,
                })
                .collect(),
            totals,
        })
    }
}

/// Where analytics reads its figures from.
///
/// From the rollups, every bucket boundary on a quarter hour (UTC) — local midnights in every
/// time zone in use today, daylight saving included — sums the app's quarter hours; one on an
/// hour also merges the hourly device sketches for active devices (exact up to
/// [`crate::sketch::EXACT_LIMIT`] devices, then estimated within about 1.6 %). Other boundaries
/// (active devices in zones half or three quarters of an hour off UTC, such as Asia/Kolkata;
/// everything in zones of a past local mean time) are counted from the raw events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Rollups,
    Events,
}

/// The index of bucket `i`, when the database answered a bucket that exists.
fn index(figures: &[Figures], i: i32) -> Option<usize> {
    usize::try_from(i).ok().filter(|&i| i < figures.len())
}

/// Adds one currency's orders to a bucket's figures.
fn add_orders(f: &mut Figures, currency: &str, orders: i64, revenue: i64) {
    f.orders += orders;
    match f.by_currency.iter_mut().find(|c| c.currency == currency) {
        Some(c) => {
            c.orders += orders;
            c.revenue += revenue;
        }
        None => f.by_currency.push(CurrencyFigures {
            currency: currency.to_owned(),
            orders,
            revenue,
        }),
    }
}

#[allow(clippy::cast_precision_loss)] // sums of seconds far below 2^52
fn mean(sum: i64, count: i64) -> f64 {
    if count == 0 {
        0.0
    } else {
        (sum as f64 / count as f64 * 10.0).round() / 10.0
    }
}

/// The UTC instant a local day starts at. Where midnight does not exist (a DST gap at 00:00),
/// the day starts at the first local time that does.
fn local_midnight(tz: Tz, day: NaiveDate) -> NaiveDateTime {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    (0..=4)
        .find_map(|hour| {
            tz.from_local_datetime(&(midnight + chrono::Duration::hours(hour)))
                .earliest()
        })
        .map_or(midnight, |t| t.naive_utc())
}

/// The fold job of a server: every `period`, folds what is queued.
pub async fn run_folds(db: crate::db::Db, period: std::time::Duration) {
    let mut ticker = tokio::time::interval(period);
    loop {
        ticker.tick().await;
        loop {
            match db
                .run(|conn| Ok(rollups::fold_pending(conn, rollups::FOLD_BATCH)?))
                .await
            {
                // A full batch: more may be queued.
                Ok(n) if n as i64 == rollups::FOLD_BATCH => {}
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "folding analytics rollups failed; will retry");
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
