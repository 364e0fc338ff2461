//! A row's less frequent actions behind one "More" button, so a list row keeps its name and its
//! main action in view at any width and destructive actions sit one deliberate step away.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

fn items(menu: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = menu.query_selector_all("[role=menuitem]") else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

/// "More" (named "More actions for `of`") opening a menu of `children`, which are
/// `<button role="menuitem">`s. Opening focuses the first item; arrows move between items; Escape,
/// Tab, a click elsewhere or choosing an item closes it (Escape gives the focus back to "More").
#[component]
pub fn RowMenu(of: String, children: ChildrenFn) -> impl IntoView {
    let open = RwSignal::new(false);
    let toggle = NodeRef::<leptos::html::Button>::new();
    let menu = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        if let Some(first) = menu.get().and_then(|m| items(&m).into_iter().next()) {
            let _ = first.focus();
        }
    });
    let close = move |refocus: bool| {
        open.set(false);
        if refocus {
            if let Some(t) = toggle.get_untracked() {
                let _ = t.focus();
            }
        }
    };
    let keys = move |ev: leptos::ev::KeyboardEvent| {
        let Some(m) = menu.get_untracked() else {
            return;
        };
        let all = items(&m);
        let active = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element());
        let at = all.iter().position(|i| {
            active
                .as_ref()
                .is_some_and(|a| a == i.unchecked_ref::<web_sys::Element>())
        });
        let go = |to: usize| {
            if let Some(item) = all.get(to) {
                let _ = item.focus();
            }
        };
        match ev.key().as_str() {
            "Escape" => {
                ev.prevent_default();
                close(true);
            }
            "Tab" => close(false),
            "ArrowDown" => {
                ev.prevent_default();
                go(at.map_or(0, |i| (i + 1) % all.len()));
            }
            "ArrowUp" => {
                ev.prevent_default();
                go(at.map_or(0, |i| (i + all.len() - 1) % all.len()));
            }
            "Home" => go(0),
            "End" => go(all.len().saturating_sub(1)),
            _ => {}
        }
    };
    view! {
        <span class="row-menu">
            <button
                class="button button-small"
                aria-haspopup="menu"
                aria-expanded=move || open.get().to_string()
                aria-label=format!("More actions for {of}")
                node_ref=toggle
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "More " <span aria-hidden="true">"▾"</span>
            </button>
            <Show when=move || open.get()>
                // A click anywhere else lands here and closes the menu.
                <div class="menu-dismiss" on:click=move |_| close(false)></div>
                <div
                    class="menu row-menu-list"
                    role="menu"
                    node_ref=menu
                    on:keydown=keys
                    on:click=move |_| close(false)
                >
                    {children()}
                </div>
            </Show>
        </span>
    }
}
