//! Query strings built from the typed filters: what a client (the SPA) sends is what the server's
//! `Query<…Filter>` reads back, field for field, instead of `&name=value` pieces written by hand.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::PageQuery;

/// `path?…` with the fields of `query` that are set (`None` ones left out), percent-encoded;
/// `path` alone when none is.
pub fn path_with(path: &str, query: &impl Serialize) -> String {
    join(path, &[encode(query)])
}

/// A list's address: `path?` its filters, then its page.
pub fn list_path(path: &str, filter: &impl Serialize, page: &PageQuery) -> String {
    join(path, &[encode(filter), encode(page)])
}

/// A filter's text as typed: `None` when blank, trimmed otherwise.
pub fn text(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A filter's choice (a status, a sort order, a date, a number) read as the server reads it from
/// a query string: `None` when blank or not one of its values.
pub fn parsed<T: DeserializeOwned>(value: &str) -> Option<T> {
    #[derive(Deserialize)]
    struct One<T> {
        v: T,
    }
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    let query = serde_urlencoded::to_string([("v", value)]).ok()?;
    serde_urlencoded::from_str::<One<T>>(&query)
        .ok()
        .map(|one| one.v)
}

fn encode(query: &impl Serialize) -> String {
    // Filters are flat structs of strings, numbers, dates and enums: every one serialises.
    serde_urlencoded::to_string(query).unwrap_or_default()
}

fn join(path: &str, parts: &[String]) -> String {
    let query: Vec<&str> = parts
        .iter()
        .map(String::as_str)
        .filter(|p| !p.is_empty())
        .collect();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;
    use crate::accounts::{AccountSort, AccountStatus};
    use crate::customers::CustomerFilter;
    use crate::devices::DeviceFilter;

    #[test]
    fn unset_filters_leave_the_path_alone() {
        assert_eq!(path_with("devices", &DeviceFilter::default()), "devices");
        assert_eq!(
            list_path(
                "customers",
                &CustomerFilter::default(),
                &PageQuery::default()
            ),
            "customers"
        );
    }

    #[test]
    fn set_fields_are_encoded_as_the_server_reads_them() {
        let filter = CustomerFilter {
            q: text("  Tulip & Co "),
            status: parsed("locked"),
            created_on: parsed("2026-12-01"),
            sort: parsed("-created_at"),
            ..CustomerFilter::default()
        };
        let page = PageQuery {
            page: Some(2),
            per_page: Some(25),
            cursor: None,
        };
        let path = list_path("customers", &filter, &page);
        assert_eq!(
            path,
            "customers?q=Tulip+%26+Co&status=locked&created_on=2026-12-01&sort=-created_at&page=2&per_page=25"
        );
        let read: CustomerFilter =
            serde_urlencoded::from_str(path.split_once('?').map_or("", |(_, q)| q))
                .expect("the server's extractor reads it back");
        assert_eq!(read.status, Some(AccountStatus::Locked));
        assert_eq!(read.created_on, NaiveDate::from_ymd_opt(2026, 12, 1));
        assert_eq!(read.sort, Some(AccountSort::CreatedDesc));
        assert_eq!(read.q.as_deref(), Some("Tulip & Co"));
    }

    #[test]
    fn blank_or_unknown_choices_are_no_filter() {
        assert_eq!(text("   "), None);
        assert_eq!(parsed::<AccountStatus>(""), None);
        assert_eq!(parsed::<AccountStatus>("deleted"), None);
        assert_eq!(parsed::<bool>("true"), Some(true));
    }
}
