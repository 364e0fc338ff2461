//! Short messages after an action ("Customer saved."), gone after five seconds.

use leptos::prelude::*;

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
