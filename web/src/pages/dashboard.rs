//! The dashboard: real figures from the API for the signed-in role.

use leptos::prelude::*;
use types::accounts::{Partner, Role};
use types::audit::AuditEvent;
use types::outbox::OutboxEmail;
use types::Page;

use crate::api::{self, ApiError};
use crate::components::{ErrorBox, Loading};
use crate::pages::activity::EventTable;
use crate::session;

#[derive(Clone)]
struct Figures {
    partners: Option<[i64; 4]>,
    emails: Option<i64>,
    activity: Page<AuditEvent>,
}

async fn total_of<T: serde::de::DeserializeOwned>(path: &str) -> Result<i64, ApiError> {
    api::get::<Page<T>>(path).await.map(|p| p.total)
}

async fn load(role: Option<Role>) -> Result<Figures, ApiError> {
    let partners = if role == Some(Role::Admin) {
        Some([
            total_of::<Partner>("partners?per_page=1").await?,
            total_of::<Partner>("partners?per_page=1&status=activated").await?,
            total_of::<Partner>("partners?per_page=1&status=pending_activation").await?,
            total_of::<Partner>("partners?per_page=1&status=locked").await?,
        ])
    } else {
        None
    };
    let emails = if role == Some(Role::Admin) {
        Some(total_of::<OutboxEmail>("outbox?per_page=1").await?)
    } else {
        None
    };
    let activity = api::get::<Page<AuditEvent>>("audit-events?per_page=8").await?;
    Ok(Figures {
        partners,
        emails,
        activity,
    })
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let account = session::account();
    let role = account.as_ref().map(|a| a.role);
    let first_name = account.map(|a| a.first_name).unwrap_or_default();
    let figures = LocalResource::new(move || load(role));
    view! {
        <div class="page-head">
            <div>
                <h1>{format!("Welcome, {first_name}")}</h1>
                <p class="muted">"Here is what is happening in your back office."</p>
            </div>
        </div>
        <Suspense fallback=|| view! { <Loading/> }>
            {move || figures.get().map(|result| match result {
                Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                Ok(f) => view! {
                    {f.partners.map(|[all, active, pending, locked]| view! {
                        <section class="stats" aria-label="Partners">
                            <a class="stat" href="/partners"><span class="stat-label">"Partners"</span><span class="stat-value">{all}</span></a>
                            <a class="stat" href="/partners?status=activated"><span class="stat-label">"Activated"</span><span class="stat-value ok">{active}</span></a>
                            <a class="stat" href="/partners?status=pending_activation"><span class="stat-label">"Pending activation"</span><span class="stat-value warn">{pending}</span></a>
                            <a class="stat" href="/partners?status=locked"><span class="stat-label">"Locked"</span><span class="stat-value bad">{locked}</span></a>
                        </section>
                    })}
                    {f.emails.map(|n| view! {
                        <section class="stats" aria-label="Email">
                            <div class="stat"><span class="stat-label">"Emails sent or logged"</span><span class="stat-value">{n}</span></div>
                            <div class="stat"><span class="stat-label">"Recorded changes"</span><span class="stat-value">{f.activity.total}</span></div>
                        </section>
                    })}
                    <section class="card">
                        <div class="card-head"><h2>"Recent activity"</h2><a href="/activity">"See all"</a></div>
                        {if f.activity.items.is_empty() {
                            view! { <p class="muted pad">"Nothing has happened yet."</p> }.into_any()
                        } else {
                            view! { <EventTable events=f.activity.items.clone()/> }.into_any()
                        }}
                    </section>
                }.into_any(),
            })}
        </Suspense>
    }
}
