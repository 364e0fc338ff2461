use super::*;

fn date(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

fn plan(from: &str, to: &str, interval: Interval, tz: &str) -> AppResult<Plan> {
    let query = AnalyticsQuery {
        from: Some(date(from)),
        to: Some(date(to)),
        interval: Some(interval),
        tz: Some(tz.into()),
    };
    Plan::new(
        &query,
        date("2026-11-23").and_hms_opt(12, 0, 0).expect("time"),
    )
}

#[test]
fn days_start_at_local_midnight() {
    let p = plan(
        "2026-03-28",
        "2026-03-30",
        Interval::Day,
        "Europe/Amsterdam",
    )
    .expect("plan");
    let starts: Vec<String> = p.starts.iter().map(ToString::to_string).collect();
    // Summer time begins on 29 March: that day is 23 hours long.
    assert_eq!(
        starts,
        [
            "2026-03-27 23:00:00",
            "2026-03-28 23:00:00",
            "2026-03-29 22:00:00"
        ]
    );
    assert_eq!(p.end.to_string(), "2026-03-30 22:00:00");
}

#[test]
fn weeks_start_on_monday_and_the_first_is_clipped_to_from() {
    let p = plan("2026-11-05", "2026-11-23", Interval::Week, "UTC").expect("plan");
    assert_eq!(
        p.days,
        [
            date("2026-11-05"),
            date("2026-11-09"),
            date("2026-11-16"),
            date("2026-11-23")
        ]
    );
}

#[test]
fn months_start_on_the_first() {
    let p = plan("2026-01-31", "2026-04-01", Interval::Month, "UTC").expect("plan");
    assert_eq!(
        p.days,
        [
            date("2026-01-31"),
            date("2026-02-01"),
            date("2026-03-01"),
            date("2026-04-01")
        ]
    );
}

#[test]
fn a_backwards_range_an_unknown_zone_and_too_many_buckets_are_refused() {
    assert!(plan("2026-02-01", "2026-01-01", Interval::Day, "UTC").is_err());
    assert!(plan("2026-01-01", "2026-02-01", Interval::Day, "Mars/Olympus").is_err());
    assert!(plan("2020-01-01", "2026-01-01", Interval::Day, "UTC").is_err());
    assert!(plan("2020-01-01", "2026-01-01", Interval::Week, "UTC").is_ok());
}

#[test]
fn the_default_range_is_the_last_thirty_days_in_the_zone() {
    let query = AnalyticsQuery {
        tz: Some("Pacific/Auckland".into()),
        ..AnalyticsQuery::default()
    };
    let now = date("2026-11-23").and_hms_opt(12, 0, 0).expect("time");
    let p = Plan::new(&query, now).expect("plan");
    assert_eq!(p.to, date("2026-11-24"), "already tomorrow in Auckland");
    assert_eq!(p.days.len(), 30);
}
