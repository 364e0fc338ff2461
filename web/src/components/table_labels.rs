//! On a phone a list's rows are cards (see `style.css`), where a bare "38" or "26 Nov 2026" means
//! nothing without its column's name. This labels every body cell of every list with its column's
//! header (`data-label`, which the phone layout shows as "Header: value"), for every table any page
//! renders, now or later, so no page has to repeat its headers by hand.
//!
//! Not labelled: the first column (the row's name, the card's title), the actions column, and
//! columns whose header has no visible text.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

fn elements(root: &web_sys::Element, selector: &str) -> Vec<web_sys::Element> {
    let Ok(list) = root.query_selector_all(selector) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
        .collect()
}

fn label(table: &web_sys::Element) {
    let headers: Vec<Option<String>> = elements(table, "thead th")
        .iter()
        .enumerate()
        .map(|(i, th)| {
            let hidden = th
                .query_selector(".visually-hidden")
                .ok()
                .flatten()
                .is_some();
            let text = th.text_content().unwrap_or_default().trim().to_owned();
            (i > 0 && !hidden && !text.is_empty() && !th.class_list().contains("actions-col"))
                .then_some(text)
        })
        .collect();
    for row in elements(table, ":scope > tbody > tr") {
        for (cell, header) in elements(&row, ":scope > td").iter().zip(&headers) {
            let Some(h) = header else { continue };
            let stale = cell.get_attribute("data-label").as_deref() != Some(h);
            if stale && !cell.class_list().contains("actions") {
                // Attribute changes are not observed: this does not call itself again.
                let _ = cell.set_attribute("data-label", h);
            }
        }
    }
}

fn label_all(document: &web_sys::Document) {
    if let Some(body) = document.body() {
        for table in elements(&body, ".table-wrap table") {
            label(&table);
        }
    }
}

/// Starts labelling (once, when the app mounts).
pub fn label_table_cells() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    let doc = document.clone();
    let callback = Closure::<dyn FnMut()>::new(move || label_all(&doc));
    let Ok(observer) = web_sys::MutationObserver::new(callback.as_ref().unchecked_ref()) else {
        return;
    };
    let options = web_sys::MutationObserverInit::new();
    options.set_child_list(true);
    options.set_subtree(true);
    if observer.observe_with_options(&body, &options).is_ok() {
        // Lives as long as the page.
        callback.forget();
    }
}
