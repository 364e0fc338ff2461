//! One way to page every list: `page` / `per_page` by offset, or `cursor` by keyset.
//!
//! A list is ordered newest first by a key (`id`, or `(created_at, id)`); `next_cursor` is that key
//! of the page's last row, in an opaque token, and a `cursor` continues strictly after it at the
//! cost of the first page, however deep. A token this server did not issue is a 422 on `cursor`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::dsl::AsExprOf;
use diesel::expression::{SqlLiteral, UncheckedBind};
use diesel::sql_types::{BigInt, Bool, Timestamp};
use types::{Page, PageQuery};

use crate::error::{StoreError, StoreResult};

/// The key a keyset list is ordered by, newest first, and how it travels in a cursor.
pub trait CursorKey: Sized + Copy {
    fn to_text(self) -> String;
    fn from_text(text: &str) -> Option<Self>;
}

/// Lists ordered by `id` alone (ids grow with time).
impl CursorKey for i64 {
    fn to_text(self) -> String {
        self.to_string()
    }

    fn from_text(text: &str) -> Option<Self> {
        text.parse().ok().filter(|id| *id > 0)
    }
}

/// Lists ordered by `(created_at, id)`: the time in microseconds, then the id.
impl CursorKey for (NaiveDateTime, i64) {
    fn to_text(self) -> String {
        format!("{}.{}", self.0.and_utc().timestamp_micros(), self.1)
    }

    fn from_text(text: &str) -> Option<Self> {
        let (micros, id) = text.split_once('.')?;
        let at = chrono::DateTime::from_timestamp_micros(micros.parse().ok()?)?.naive_utc();
        Some((at, i64::from_text(id)?))
    }
}

/// Cursors are versioned, so that their form can change without misreading old ones.
const CURSOR_PREFIX: &str = "v1:";

fn encode<K: CursorKey>(key: K) -> String {
    URL_SAFE_NO_PAD.encode(format!("{CURSOR_PREFIX}{}", key.to_text()))
}

fn decode<K: CursorKey>(cursor: &str) -> Option<K> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    K::from_text(text.strip_prefix(CURSOR_PREFIX)?)
}

/// Which rows a page holds: those after the cursor's key, else the `page`'s by offset. One row
/// more than the page size is fetched, to tell whether a next page exists.
#[derive(Debug, Clone, Copy)]
pub struct Paging<K> {
    /// Continue after this key (from `cursor`); the list is then newest first whatever its sort.
    pub after: Option<K>,
    pub limit: i64,
    pub offset: i64,
    page: u32,
    per_page: u32,
    /// Whether the rows come newest first, so that a `next_cursor` can continue after them.
    keyset_order: bool,
}

impl<K: CursorKey> Paging<K> {
    pub fn new(query: &PageQuery) -> StoreResult<Self> {
        let after = query
            .cursor
            .as_deref()
            .map(|c| {
                decode(c).ok_or(StoreError::InvalidField {
                    field: "cursor",
                    message: "is not a cursor this list issued",
                })
            })
            .transpose()?;
        Ok(Self {
            after,
            limit: i64::from(query.per_page()) + 1,
            offset: if after.is_some() { 0 } else { query.offset() },
            page: if after.is_some() { 1 } else { query.page() },
            per_page: query.per_page(),
            keyset_order: true,
        })
    }

    /// Paging by `page` only, for a short list in an order no cursor can continue (plans,
    /// cheapest first): a `cursor` is refused on its field, and pages carry no `next_cursor`.
    pub fn offset_only(query: &PageQuery) -> StoreResult<Self> {
        if query.cursor.is_some() {
            return Err(StoreError::InvalidField {
                field: "cursor",
                message: "this list pages by `page` only",
            });
        }
        let mut paging = Self::new(query)?;
        paging.keyset_order = false;
        Ok(paging)
    }

    /// `limit` rows after `after`, for walking a whole list in chunks (an export).
    pub fn chunk(after: Option<K>, limit: i64) -> Self {
        Self {
            after,
            limit,
            offset: 0,
            page: 1,
            per_page: u32::try_from(limit).unwrap_or(u32::MAX),
            keyset_order: true,
        }
    }

    /// The order to list in: `newest` (the keyset order) when continuing from a cursor, else the
    /// `requested` sort or its default. Only pages in the keyset order get a `next_cursor`.
    pub fn order<S: Copy + PartialEq + Default>(&mut self, requested: Option<S>, newest: S) -> S {
        let sort = match self.after {
            Some(_) => newest,
            None => requested.unwrap_or_default(),
        };
        self.keyset_order = sort == newest;
        sort
    }

    /// The page of `rows` (as fetched with `limit`), with a `next_cursor` holding the `key` of
    /// its last row when more follow in the keyset order.
    pub fn answer<T, W>(
        &self,
        mut rows: Vec<T>,
        total: i64,
        key: impl Fn(&T) -> K,
        to_wire: impl Fn(&T) -> W,
    ) -> Page<W> {
        let per_page = self.per_page as usize;
        let more = rows.len() > per_page;
        rows.truncate(per_page);
        let next_cursor = rows
            .last()
            .filter(|_| more && self.keyset_order)
            .map(|last| encode(key(last)));
        Page {
            items: rows.iter().map(to_wire).collect(),
            total,
            page: self.page,
            per_page: self.per_page,
            next_cursor,
        }
    }
}

/// The type of [`created_before`]'s SQL with its two bound values.
pub type CreatedBefore = SqlLiteral<
    Bool,
    UncheckedBind<
        SqlLiteral<Bool, UncheckedBind<SqlLiteral<Bool>, AsExprOf<NaiveDateTime, Timestamp>>>,
        AsExprOf<i64, BigInt>,
    >,
>;

/// `(<table>.created_at, <table>.id) < (at, id)`: a row-value comparison, which both databases
/// answer from a `(created_at, id)` index; the equivalent `a < x OR (a = x AND b < y)` makes
/// PostgreSQL scan. `table` is a trusted constant, never input.
pub fn created_before(table: &'static str, key: (NaiveDateTime, i64)) -> CreatedBefore {
    time_before(table, "created_at", key)
}

/// [`created_before`] for a list ordered by another time column (`orders.placed_at`).
pub fn time_before(
    table: &'static str,
    column: &'static str,
    key: (NaiveDateTime, i64),
) -> CreatedBefore {
    compare(table, column, "<", key)
}

/// `(<table>.<column>, <table>.id) > (at, id)`: for walking a list oldest first (the jobs).
pub fn time_after(
    table: &'static str,
    column: &'static str,
    key: (NaiveDateTime, i64),
) -> CreatedBefore {
    compare(table, column, ">", key)
}

fn compare(
    table: &'static str,
    column: &'static str,
    op: &'static str,
    (at, id): (NaiveDateTime, i64),
) -> CreatedBefore {
    diesel::dsl::sql::<Bool>(&format!("({table}.{column}, {table}.id) {op} ("))
        .bind::<Timestamp, _>(at)
        .sql(", ")
        .bind::<BigInt, _>(id)
        .sql(")")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(cursor: Option<&str>) -> PageQuery {
        PageQuery {
            page: Some(3),
            per_page: Some(2),
            cursor: cursor.map(str::to_owned),
        }
    }

    #[test]
    fn a_cursor_carries_its_key_and_continues_after_it() {
        let at = chrono::DateTime::from_timestamp_micros(1_700_000_000_123_456)
            .map(|t| t.naive_utc())
            .unwrap_or_default();
        let first = Paging::<(NaiveDateTime, i64)>::new(&query(None)).expect("paging");
        assert_eq!((first.offset, first.limit), (4, 3));
        let page = first.answer(vec![(at, 9), (at, 8), (at, 7)], 10, |r| *r, |r| r.1);
        assert_eq!(page.items, [9, 8]);
        let cursor = page.next_cursor.expect("more rows follow");
        let next = Paging::<(NaiveDateTime, i64)>::new(&query(Some(&cursor))).expect("paging");
        assert_eq!(next.after, Some((at, 8)));
        assert_eq!((next.offset, next.page), (0, 1));
    }

    #[test]
    fn the_last_page_and_other_sorts_have_no_cursor() {
        let mut paging = Paging::<i64>::new(&query(None)).expect("paging");
        assert!(paging
            .answer(vec![5, 4], 2, |r| *r, |r| *r)
            .next_cursor
            .is_none());
        assert_eq!(paging.order(Some("name"), "newest"), "name");
        assert!(paging
            .answer(vec![5, 4, 3], 9, |r| *r, |r| *r)
            .next_cursor
            .is_none());
    }

    #[test]
    fn a_foreign_cursor_is_refused_on_its_field() {
        for foreign in ["12", "9182847226241325269.627004", "djE6", "v1:12", "%%%"] {
            let refused = Paging::<i64>::new(&query(Some(foreign))).expect_err(foreign);
            assert!(
                matches!(
                    refused,
                    StoreError::InvalidField {
                        field: "cursor",
                        ..
                    }
                ),
                "{refused}"
            );
        }
        // A device cursor is not a customer cursor.
        let id_cursor = encode(42_i64);
        assert!(Paging::<(NaiveDateTime, i64)>::new(&query(Some(&id_cursor))).is_err());
    }
}
