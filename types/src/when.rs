//! Dates and date-times on the wire: what a field expects, said in our words, and the one field
//! that also takes a plain date (an offer's `valid_until`: "until the 10th" means its end).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Deserializer};

/// What a date-time field that could not be read is told.
pub const DATE_TIME_EXPECTED: &str = "must be an RFC 3339 date-time such as 2026-12-10T23:59:59Z";

/// What a date-or-date-time field that could not be read is told.
pub const DATE_OR_DATE_TIME_EXPECTED: &str = "must be an RFC 3339 date-time such as \
     2026-12-10T23:59:59Z, or a date such as 2026-12-10 (the end of that day, UTC)";

/// `deserialize_with` for a `DateTime<Utc>` that may also be written as a date: `2026-12-10` is
/// the last second of that day in UTC, `2026-12-10T23:59:59Z`.
pub fn date_time_or_end_of_day<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<DateTime<Utc>, D::Error> {
    let text = String::deserialize(deserializer)
        .map_err(|_| serde::de::Error::custom(DATE_OR_DATE_TIME_EXPECTED))?;
    end_of_day_or_date_time(&text)
        .ok_or_else(|| serde::de::Error::custom(DATE_OR_DATE_TIME_EXPECTED))
}

/// `text` read as an RFC 3339 date-time, or as a date meaning the end of that day (UTC).
pub fn end_of_day_or_date_time(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    let last_second = NaiveTime::from_hms_opt(23, 59, 59)?;
    Some(day.and_time(last_second).and_utc())
}

/// The schema of such a field, `meaning` what it is for: a string holding either form.
pub fn date_time_or_date_schema(meaning: &str) -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{AnyOfBuilder, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let string = |format| {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(format)))
    };
    AnyOfBuilder::new()
        .item(string(KnownFormat::DateTime))
        .item(string(KnownFormat::Date).description(Some("The end of that day, UTC.")))
        .description(Some(format!(
            "{meaning} An RFC 3339 date-time, or a date meaning the end of that day \
             (23:59:59 UTC)."
        )))
        .examples([serde_json::json!("2026-12-10T23:59:59Z")])
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_date_is_the_end_of_that_day_and_a_date_time_is_itself() {
        let end = end_of_day_or_date_time("2026-12-10").expect("a date");
        assert_eq!(end.to_rfc3339(), "2026-12-10T23:59:59+00:00");
        let at = end_of_day_or_date_time("2026-12-10T08:30:00+01:00").expect("a date-time");
        assert_eq!(at.to_rfc3339(), "2026-12-10T07:30:00+00:00");
        for bad in [
            "2026-12-32",
            "2026-12-10T25:00:00Z",
            "10/12/2026",
            "",
            "2026-12-10 extra",
        ] {
            assert_eq!(end_of_day_or_date_time(bad), None, "{bad}");
        }
    }
}
