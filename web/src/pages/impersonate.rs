//! The page a "log in as" tab opens: exchanges the one-time code, then shows the customer's
//! back office.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::components::{ErrorBox, Loading};
use crate::session;

#[component]
pub fn Impersonate() -> impl IntoView {
    let auth = session::use_auth();
    let query = use_query_map();
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    let code = query.get_untracked().get("code").unwrap_or_default();
    leptos::task::spawn_local(async move {
        match session::start_impersonation(auth, code).await {
            Ok(()) => navigate(
                "/",
                leptos_router::NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            ),
            Err(e) => error.set(Some(e.message())),
        }
    });
    view! {
        <main class="center-page">
            <div class="card narrow">
                <h1>"Opening the customer's back office"</h1>
                {move || match error.get() {
                    None => view! { <Loading/> }.into_any(),
                    Some(m) => view! { <ErrorBox message=m/><a class="button" href="/">"Back"</a> }.into_any(),
                }}
            </div>
        </main>
    }
}
