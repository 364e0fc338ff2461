//! When a delivery may go out: quiet hours, device time zones, local-time sends.

use super::*;

/// An app's quiet hours in minutes after midnight, when set.
pub fn quiet_hours(row: &SettingsRow) -> Option<(i32, i32)> {
    row.quiet_start.zip(row.quiet_end)
}

/// A device's time zone (UTC when it reported none, or one unknown here).
pub fn zone(tz: Option<&str>) -> Tz {
    tz.and_then(|t| t.parse().ok()).unwrap_or(Tz::UTC)
}

/// The first instant at or after `from` when the clock in `tz` shows `minutes` after midnight.
pub fn next_local(from: NaiveDateTime, tz: Tz, minutes: i32) -> NaiveDateTime {
    let local = tz.from_utc_datetime(&from).date_naive();
    let time = NaiveTime::from_num_seconds_from_midnight_opt(
        u32::try_from(minutes.clamp(0, 1439) * 60).unwrap_or(0),
        0,
    )
    .unwrap_or_default();
    for day in 0..3 {
        let date = local + Duration::days(day);
        // A time skipped by a daylight-saving change happens an hour later that day.
        let at = tz
            .from_local_datetime(&date.and_time(time))
            .earliest()
            .or_else(|| {
                tz.from_local_datetime(&(date.and_time(time) + Duration::hours(1)))
                    .earliest()
            });
        if let Some(at) = at {
            let at = at.naive_utc();
            if at >= from {
                return at;
            }
        }
    }
    from
}

/// When a delivery due at `at` may go out given quiet hours `(start, end)` in `tz`: `None` when
/// at once, else the end of the quiet hours it falls in.
pub fn after_quiet_hours(
    at: NaiveDateTime,
    tz: Tz,
    (start, end): (i32, i32),
) -> Option<NaiveDateTime> {
    use chrono::Timelike;
    let local = tz.from_utc_datetime(&at);
    let minute = i32::try_from(local.hour() * 60 + local.minute()).unwrap_or(0);
    let quiet = if start <= end {
        (start..end).contains(&minute)
    } else {
        minute >= start || minute < end
    };
    quiet.then(|| next_local(at, tz, end))
}
