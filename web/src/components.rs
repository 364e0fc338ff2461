//! Building blocks shared by the pages: toasts, modals, badges, pagination, states.

use leptos::prelude::*;
use types::accounts::AccountStatus;
use types::FieldError;

// ---- toasts ------------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Success,
    Error,
}

#[derive(Clone)]
struct Toast {
    id: u32,
    tone: Tone,
    text: String,
}

#[derive(Clone, Copy)]
pub struct Toasts {
    list: RwSignal<Vec<Toast>>,
    next: StoredValue<u32>,
}

impl Toasts {
    pub fn show(&self, tone: Tone, text: impl Into<String>) {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.list.update(|l| {
            l.push(Toast {
                id,
                tone,
                text: text.into(),
            })
        });
        let list = self.list;
        set_timeout(
            move || list.update(|l| l.retain(|t| t.id != id)),
            std::time::Duration::from_secs(5),
        );
    }

    /// Copies `text` (a key, a token) to the clipboard and says whether that worked:
    /// "`What` copied.", or how to copy it by hand.
    pub fn copy(self, text: String, what: &'static str) {
        leptos::task::spawn_local(async move {
            if crate::api::copy_to_clipboard(&text).await {
                self.show(Tone::Success, format!("{what} copied."));
            } else {
                self.show(
                    Tone::Error,
                    "The browser did not allow copying: select the text instead.",
                );
            }
        });
    }
}

pub fn provide_toasts() -> Toasts {
    let toasts = Toasts {
        list: RwSignal::new(Vec::new()),
        next: StoredValue::new(0),
    };
    provide_context(toasts);
    toasts
}

pub fn use_toasts() -> Toasts {
    expect_context::<Toasts>()
}

#[component]
pub fn ToastHost() -> impl IntoView {
    let toasts = use_toasts();
    view! {
        <div class="toasts" role="status" aria-live="polite">
            <For each=move || toasts.list.get() key=|t| t.id let:toast>
                <div class=move || if toast.tone == Tone::Error { "toast toast-error" } else { "toast toast-success" }>
                    {toast.text.clone()}
                </div>
            </For>
        </div>
    }
}

// ---- modal -------------------------------------------------------------------------------

/// A dialog over the page; `on_close` runs on Escape, the backdrop or the close button.
#[component]
pub fn Modal(
    title: String,
    #[prop(into)] on_close: Callback<()>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="modal-backdrop" on:click=move |_| on_close.run(())>
            <div
                class="modal"
                role="dialog"
                aria-modal="true"
                aria-label=title.clone()
                on:click=|ev| ev.stop_propagation()
                on:keydown=move |ev| if ev.key() == "Escape" { on_close.run(()) }
            >
                <header class="modal-head">
                    <h2>{title.clone()}</h2>
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

// ---- small pieces ------------------------------------------------------------------------

pub fn status_label(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::PendingActivation => "Pending activation",
        AccountStatus::Activated => "Activated",
        AccountStatus::Locked => "Locked",
    }
}

#[component]
pub fn StatusBadge(status: AccountStatus) -> impl IntoView {
    let class = match status {
        AccountStatus::PendingActivation => "badge badge-warning",
        AccountStatus::Activated => "badge badge-success",
        AccountStatus::Locked => "badge badge-danger",
    };
    view! { <span class=class>{status_label(status)}</span> }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! { <div class="loading" aria-busy="true"><span class="spinner"></span>"Loading…"</div> }
}

#[component]
pub fn Empty(title: &'static str, hint: &'static str) -> impl IntoView {
    view! { <div class="empty"><p class="empty-title">{title}</p><p class="muted">{hint}</p></div> }
}

#[component]
pub fn ErrorBox(message: String) -> impl IntoView {
    view! { <div class="alert alert-error" role="alert">{message}</div> }
}

/// The messages of `field` in a list of field errors, under its input.
pub fn field_messages(errors: &[FieldError], field: &str) -> Option<String> {
    let messages: Vec<&str> = errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| e.message.as_str())
        .collect();
    (!messages.is_empty()).then(|| messages.join("; "))
}

/// Previous / next with "1–20 of 57".
#[component]
pub fn Pager(page: RwSignal<u32>, per_page: u32, total: i64) -> impl IntoView {
    let first = (i64::from(page.get_untracked()) - 1) * i64::from(per_page) + 1;
    let last = (first + i64::from(per_page) - 1).min(total);
    let has_next = last < total;
    view! {
        <nav class="pager" aria-label="Pagination">
            <span class="muted">{if total == 0 { "0 results".to_owned() } else { format!("{first}–{last} of {total}") }}</span>
            <button class="button" disabled=move || page.get() <= 1 on:click=move |_| page.update(|p| *p -= 1)>"Previous"</button>
            <button class="button" disabled=!has_next on:click=move |_| page.update(|p| *p += 1)>"Next"</button>
        </nav>
    }
}

/// "22 Nov 2026" for an RFC 3339 time.
pub fn date(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%-d %b %Y").to_string()
}

pub fn date_time(t: &chrono::DateTime<chrono::Utc>) -> String {
    t.format("%-d %b %Y %H:%M UTC").to_string()
}
