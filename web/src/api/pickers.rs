//! The choices of the pickers (an app's owner, a customer's partner, whose activity): the first
//! hundred of a list, by name.

use types::accounts::{Account, AccountSort, PartnerFilter};
use types::apps::{App, AppFilter, AppSort};
use types::{query, Page, PageQuery};

const CHOICES: u32 = 100;

/// Accounts of `list` (`partners` or `customers`, whichever the caller may read), by name; none
/// when the list cannot be read.
pub async fn accounts_by_name(list: &str) -> Vec<Account> {
    // Both account lists read `sort` the same way (`PartnerFilter`'s fields are the customers' too).
    let by_name = PartnerFilter {
        sort: Some(AccountSort::NameAsc),
        ..PartnerFilter::default()
    };
    let path = query::list_path(list, &by_name, &PageQuery::numbered(1, CHOICES));
    super::get::<Page<Account>>(&path)
        .await
        .map(|page| page.items)
        .unwrap_or_default()
}

/// The caller's apps, by name.
pub async fn apps_by_name() -> Vec<App> {
    let by_name = AppFilter {
        sort: Some(AppSort::NameAsc),
        ..AppFilter::default()
    };
    let path = query::list_path("apps", &by_name, &PageQuery::numbered(1, CHOICES));
    super::get::<Page<App>>(&path)
        .await
        .map(|page| page.items)
        .unwrap_or_default()
}
