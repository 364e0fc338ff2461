//! List filters kept in the page's address, so back / forward, a reload and a shared link all
//! show the same list; and the search box that applies as you type.

use std::cell::RefCell;
use std::str::FromStr;
use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

type Navigate = Box<dyn Fn(&str)>;

thread_local! {
    /// Changes made in one turn of the event loop (a filter and the page going back to 1), written
    /// to the address together as one history entry.
    static PENDING: RefCell<Vec<(&'static str, Option<String>)>> = const { RefCell::new(Vec::new()) };
    static NAVIGATE: RefCell<Option<Navigate>> = const { RefCell::new(None) };
}

/// A value kept in the query parameter `key` (absent when it is `default`). Setting it adds a
/// history entry; going back or forward sets it to what the address says.
pub fn url_state<T>(key: &'static str, default: T) -> RwSignal<T>
where
    T: FromStr + ToString + PartialEq + Clone + Send + Sync + 'static,
{
    let query = use_query_map();
    let parse = {
        let default = default.clone();
        move |q: &leptos_router::params::ParamsMap| {
            q.get(key)
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| default.clone())
        }
    };
    let value = RwSignal::new(query.with_untracked(&parse));
    let navigate = use_navigate();
    NAVIGATE.with(|n| {
        *n.borrow_mut() = Some(Box::new(move |url: &str| {
            navigate(
                url,
                NavigateOptions {
                    scroll: false,
                    ..Default::default()
                },
            )
        }))
    });
    // The address changed (back, forward, a link): the value follows.
    Effect::new(move |_| {
        let from_address = query.with(&parse);
        if value.get_untracked() != from_address {
            value.set(from_address);
        }
    });
    // The value changed here: the address follows.
    Effect::watch(
        move || value.get(),
        move |v, _, _| {
            let text = (*v != default).then(|| v.to_string());
            schedule(key, text);
        },
        false,
    );
    value
}

/// The page of a list, in `?page=` (1 when absent).
pub fn url_page() -> RwSignal<u32> {
    url_state("page", 1_u32)
}

fn schedule(key: &'static str, value: Option<String>) {
    let first = PENDING.with(|p| {
        let mut pending = p.borrow_mut();
        pending.retain(|(k, _)| *k != key);
        pending.push((key, value));
        pending.len() == 1
    });
    if first {
        set_timeout(flush, Duration::ZERO);
    }
}

/// Writes the pending changes into the address as one navigation (none if nothing differs).
fn flush() {
    let changes = PENDING.with(|p| std::mem::take(&mut *p.borrow_mut()));
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return;
    };
    let (Ok(path), Ok(search)) = (location.pathname(), location.search()) else {
        return;
    };
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return;
    };
    for (key, value) in changes {
        match value {
            Some(v) => params.set(key, &v),
            None => params.delete(key),
        }
    }
    let query = String::from(params.to_string());
    if query == search.trim_start_matches('?') {
        return;
    }
    let url = if query.is_empty() {
        path
    } else {
        format!("{path}?{query}")
    };
    NAVIGATE.with(|n| {
        if let Some(navigate) = n.borrow().as_ref() {
            navigate(&url);
        }
    });
}

/// A text filter kept in the address: what is typed applies once typing pauses, or at once with
/// `apply` (the filters form's submit, on Enter or its Search button).
#[derive(Clone, Copy)]
pub struct TextFilter {
    /// The text the list is filtered by.
    pub applied: RwSignal<String>,
    typed: RwSignal<String>,
    page: RwSignal<u32>,
}

impl TextFilter {
    /// The filter in `?key=`; `page` goes back to 1 when it changes.
    pub fn new(key: &'static str, page: RwSignal<u32>) -> Self {
        let applied = url_state(key, String::new());
        let typed = RwSignal::new(applied.get_untracked());
        // Back / forward changed the applied text: the box shows it.
        Effect::new(move |_| {
            let now = applied.get();
            if typed.get_untracked().trim() != now {
                typed.set(now);
            }
        });
        Self {
            applied,
            typed,
            page,
        }
    }

    /// Filters by what is in the box now.
    pub fn apply(self) {
        let text = self.typed.get_untracked().trim().to_owned();
        if self.applied.get_untracked() != text {
            self.page.set(1);
            self.applied.set(text);
        }
    }

    fn typing(self, text: String) {
        self.typed.set(text.clone());
        set_timeout(
            move || {
                // The page may be gone by now (signed out, navigated away): then nothing to do.
                if self.typed.try_get_untracked().as_deref() == Some(text.as_str()) {
                    self.apply();
                }
            },
            Duration::from_millis(350),
        );
    }
}

/// The search box of a [`TextFilter`].
#[component]
pub fn SearchField(
    label: &'static str,
    filter: TextFilter,
    #[prop(optional)] placeholder: &'static str,
) -> impl IntoView {
    view! {
        <label class="field grow">
            <span>{label}</span>
            <input
                type="search"
                placeholder=(!placeholder.is_empty()).then_some(placeholder)
                prop:value=move || filter.typed.get()
                on:input=move |ev| filter.typing(event_target_value(&ev))
            />
        </label>
    }
}

/// What a date range that ends before it starts is told.
pub const RANGE_BACKWARDS: &str = "“From” is after “To”: choose a start date before the end date.";

/// A date filter (`2026-11-23`, from a date input) as the start of that day in UTC; `next`: of
/// the day after (a "to" date includes its day). `None` when empty or not a date.
pub fn day_query(day: &str, next: bool) -> Option<chrono::DateTime<chrono::Utc>> {
    let d = types::query::parsed::<chrono::NaiveDate>(day)?;
    let d = if next { d.succ_opt()? } else { d };
    Some(d.and_time(chrono::NaiveTime::MIN).and_utc())
}

/// Whether two date filters (`YYYY-MM-DD`, which sorts as the dates do) are the wrong way round;
/// an empty one is no bound.
pub fn range_backwards(from: RwSignal<String>, to: RwSignal<String>) -> impl Fn() -> bool + Copy {
    move || {
        let (f, t) = (from.get(), to.get());
        !f.is_empty() && !t.is_empty() && f > t
    }
}

/// Which of a list's requests may still show its answer: the latest. Filters changed quickly
/// send several requests; an earlier one answering last (a slow network, a busy server) must not
/// replace the list the current filters asked for.
#[derive(Clone, Copy)]
pub struct Latest(StoredValue<u64>);

impl Latest {
    pub fn new() -> Self {
        Self(StoredValue::new(0))
    }

    /// A ticket for a request about to be sent; it supersedes every earlier one.
    pub fn next(self) -> u64 {
        self.0
            .try_update_value(|n| {
                *n += 1;
                *n
            })
            .unwrap_or_default()
    }

    /// Whether the request holding `ticket` is still the latest (never once the page is gone).
    pub fn is(self, ticket: u64) -> bool {
        self.0.try_get_value() == Some(ticket)
    }
}
