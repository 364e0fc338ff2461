//! Dialogs: a modal over the page, and the "are you sure?" before a destructive action.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    static NEXT_ID: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), \
    select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

fn focusables(dialog: &web_sys::Element) -> Vec<web_sys::HtmlElement> {
    let Ok(list) = dialog.query_selector_all(FOCUSABLE) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::HtmlElement>().ok())
        .collect()
}

fn active_element() -> Option<web_sys::HtmlElement> {
    web_sys::window()?
        .document()?
        .active_element()?
        .dyn_into::<web_sys::HtmlElement>()
        .ok()
}

/// A dialog over the page, labelled by its title. Focus moves into it (to an `autofocus`
/// element, else its first field, else its first button, else its close button), stays inside it while it is open, and
/// returns to what opened it when it closes. `on_close` runs on Escape, the backdrop or the close
/// button.
#[component]
pub fn Modal(
    title: String,
    #[prop(into)] on_close: Callback<()>,
    /// For a record's detail: a wider dialog.
    #[prop(optional)]
    wide: bool,
    children: Children,
) -> impl IntoView {
    let id = NEXT_ID.with(|n| {
        n.set(n.get() + 1);
        format!("dialog-title-{}", n.get())
    });
    let title_id = id.clone();
    let dialog = NodeRef::<leptos::html::Div>::new();
    let opener = StoredValue::new_local(active_element());
    Effect::new(move |_| {
        if let Some(el) = dialog.get() {
            let first = el
                .query_selector("[autofocus]")
                .ok()
                .flatten()
                .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
                .or_else(|| {
                    let all = focusables(&el);
                    all.iter()
                        .find(|e| matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
                        .or_else(|| all.iter().find(|e| !e.class_list().contains("icon-button")))
                        // A dialog that only shows something (an email, a payload): its close
                        // button, so that Escape and Tab work from the keyboard at once.
                        .or_else(|| all.first())
                        .cloned()
                });
            if let Some(first) = first {
                let _ = first.focus();
            }
        }
    });
    on_cleanup(move || {
        if let Some(opener) = opener.get_value() {
            let _ = opener.focus();
        }
    });
    // Tab and Shift+Tab cycle inside the dialog.
    let trap = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            on_close.run(());
            return;
        }
        let (Some(el), true) = (dialog.get(), ev.key() == "Tab") else {
            return;
        };
        let all = focusables(&el);
        let (Some(first), Some(last)) = (all.first(), all.last()) else {
            return;
        };
        let active = active_element();
        if ev.shift_key() && active.as_ref() == Some(first) {
            ev.prevent_default();
            let _ = last.focus();
        } else if !ev.shift_key() && active.as_ref() == Some(last) {
            ev.prevent_default();
            let _ = first.focus();
        }
    };
    view! {
        <div class="modal-backdrop" on:click=move |_| on_close.run(())>
            <div
                class=if wide { "modal modal-wide" } else { "modal" }
                role="dialog"
                aria-modal="true"
                aria-labelledby=title_id
                node_ref=dialog
                on:click=|ev| ev.stop_propagation()
                on:keydown=trap
            >
                <header class="modal-head">
                    <h2 id=id>{title}</h2>
                    <button class="icon-button" aria-label="Close" on:click=move |_| on_close.run(())>"×"</button>
                </header>
                {children()}
            </div>
        </div>
    }
}

/// "Are you sure?" before a destructive action.
#[component]
pub fn Confirm(
    title: String,
    message: String,
    confirm_label: String,
    #[prop(into)] on_confirm: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
) -> impl IntoView {
    view! {
        <Modal title=title on_close=on_cancel>
            <p class="modal-body">{message}</p>
            <footer class="modal-actions">
                <button class="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                <button class="button button-danger" autofocus on:click=move |_| on_confirm.run(())>{confirm_label}</button>
            </footer>
        </Modal>
    }
}
