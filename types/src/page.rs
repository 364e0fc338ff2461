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
    /// This page's number, from 1 (absent when the page was fetched by `cursor`).
    pub page: u32,
    /// The page size used.
    pub per_page: u32,
    /// Pass as `cursor` to get the next page by keyset; absent on the last page. Only for lists
    /// that grow without bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Pagination parameters shared by every list.
#[derive(Debug, Clone, Copy, Deserialize, IntoParams, Validate)]
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
}

impl PageQuery {
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
