use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// The largest page a list endpoint serves.
pub const MAX_PER_PAGE: u32 = 100;
/// The page size when the client gives none.
pub const DEFAULT_PER_PAGE: u32 = 20;

/// One page of a list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items match the filters, over all pages.
    pub total: i64,
    /// This page's number, from 1 (1 for a page fetched by `cursor`).
    pub page: u32,
    /// The page size used.
    pub per_page: u32,
    /// Pass as `cursor` to get the next page by keyset; absent on the last page, and when the
    /// list is sorted other than newest first (then page by `page`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Pagination parameters shared by every list: by `page` (offset), or by `cursor` (keyset).
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// Page number, from 1.
    #[validate(range(min = 1, max = 1_000_000))]
    #[param(minimum = 1, maximum = 1_000_000, default = 1)]
    pub page: Option<u32>,
    /// Items per page, at most 100.
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
    /// `next_cursor` of the previous page, passed back as it came: continues after it by keyset,
    /// so that any depth costs what the first page costs. Cursor pages are newest first (`sort`
    /// and `page` do not apply). A cursor is an opaque token this list issued; any other value
    /// gets 422 `validation_failed` naming `cursor`.
    #[validate(length(min = 1, max = 200))]
    #[param(min_length = 1, max_length = 200, pattern = "^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
}

impl PageQuery {
    /// Page `page` (from 1) of `per_page` items.
    pub fn numbered(page: u32, per_page: u32) -> Self {
        Self {
            page: Some(page),
            per_page: Some(per_page),
            cursor: None,
        }
    }
    /// `per_page` items after `cursor` (a `next_cursor`), or the first ones without.
    pub fn after(cursor: Option<String>, per_page: u32) -> Self {
        Self {
            page: None,
            per_page: Some(per_page),
            cursor,
        }
    }
    pub fn page(&self) -> u32 {
        self.page.unwrap_or(1)
    }
    pub fn per_page(&self) -> u32 {
        self.per_page.unwrap_or(DEFAULT_PER_PAGE).min(MAX_PER_PAGE)
    }
    pub fn offset(&self) -> i64 {
        i64::from(self.page() - 1) * i64::from(self.per_page())
    }
}
