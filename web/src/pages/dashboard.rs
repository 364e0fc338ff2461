//! The dashboard: real figures from the API for the signed-in role.

use leptos::prelude::*;
use types::accounts::{Account, Role};
use types::analytics::{Analytics, Figures as AppFigures};
use types::apps::App;
use types::audit::AuditEvent;
use types::outbox::OutboxEmail;
use types::Page;

use crate::api::{self, ApiError};
use crate::components::{ErrorBox, Loading};
use crate::pages::activity::EventTable;
use crate::pages::apps::{kind_label, AppIcon};
use crate::session;

/// How many apps the dashboard shows with their figures (one analytics call each).
const APPS_SHOWN: u32 = 5;

#[derive(Clone)]
struct Figures {
    /// Admins: partners; partners: customers — `(list path, [all, activated, pending, locked])`.
    accounts: Option<(&'static str, [i64; 4])>,
    emails: Option<i64>,
    /// Partners and customers: the newest apps with their last 30 days, and how many there are.
    apps: Option<(Vec<(App, AppFigures)>, i64)>,
    activity: Page<AuditEvent>,
}

async fn total_of<T: serde::de::DeserializeOwned>(path: &str) -> Result<i64, ApiError> {
    api::get::<Page<T>>(path).await.map(|p| p.total)
}

/// An account list's total, and its activated, pending and locked parts.
async fn accounts_by_status(list: &str) -> Result<[i64; 4], ApiError> {
    let mut totals = [0; 4];
    for (total, status) in totals.iter_mut().zip([
        "",
        "&status=activated",
        "&status=pending_activation",
        "&status=locked",
    ]) {
        *total = total_of::<Account>(&format!("{list}?per_page=1{status}")).await?;
    }
    Ok(totals)
}

async fn apps_at_a_glance() -> Result<(Vec<(App, AppFigures)>, i64), ApiError> {
    let page = api::get::<Page<App>>(&format!("apps?per_page={APPS_SHOWN}")).await?;
    let mut apps = Vec::with_capacity(page.items.len());
    for app in page.items {
        let last_30_days = api::get::<Analytics>(&format!("apps/{}/analytics", app.id)).await?;
        apps.push((app, last_30_days.totals));
    }
    Ok((apps, page.total))
}

async fn load(role: Option<Role>) -> Result<Figures, ApiError> {
    let accounts = match role {
        Some(Role::Admin) => Some(("partners", accounts_by_status("partners").await?)),
        Some(Role::Partner) => Some(("customers", accounts_by_status("customers").await?)),
        _ => None,
    };
    let emails = if role == Some(Role::Admin) {
        Some(total_of::<OutboxEmail>("outbox?per_page=1").await?)
    } else {
        None
    };
    let apps = if matches!(role, Some(Role::Partner | Role::Customer)) {
        Some(apps_at_a_glance().await?)
    } else {
        None
    };
    let activity = api::get::<Page<AuditEvent>>("audit-events?per_page=8").await?;
    Ok(Figures {
        accounts,
        emails,
        apps,
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
                    {f.accounts.map(|(list, [all, active, pending, locked])| {
                        let title = if list == "partners" { "Partners" } else { "Customers" };
                        view! {
                            <section class="stats" aria-label=title>
                                <a class="stat" href=format!("/{list}")><span class="stat-label">{title}</span><span class="stat-value">{all}</span></a>
                                <a class="stat" href=format!("/{list}?status=activated")><span class="stat-label">"Activated"</span><span class="stat-value ok">{active}</span></a>
                                <a class="stat" href=format!("/{list}?status=pending_activation")><span class="stat-label">"Pending activation"</span><span class="stat-value warn">{pending}</span></a>
                                <a class="stat" href=format!("/{list}?status=locked")><span class="stat-label">"Locked"</span><span class="stat-value bad">{locked}</span></a>
                            </section>
                        }
                    })}
                    {f.apps.map(|(apps, total)| view! { <AppsAtAGlance apps=apps total=total show_owner=role == Some(Role::Partner)/> })}
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

/// The newest apps with their last 30 days, each a link to its page.
#[component]
fn AppsAtAGlance(apps: Vec<(App, AppFigures)>, total: i64, show_owner: bool) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="dashboard-apps">
            <div class="card-head">
                <h2 id="dashboard-apps">"Apps · last 30 days"</h2>
                <a href="/apps">{if total > i64::from(APPS_SHOWN) { format!("See all {total}") } else { "See all".to_owned() }}</a>
            </div>
            {if apps.is_empty() {
                view! { <p class="muted pad">"No apps yet. " <a href="/apps">"Create your first app"</a> " to see its devices and analytics here."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <thead><tr>
                                <th scope="col">"App"</th><th scope="col">"Kind"</th>
                                <th scope="col" class="num">"New installs"</th><th scope="col" class="num">"Active devices"</th>
                                <th scope="col" class="num">"Sessions"</th><th scope="col" class="num">"Push opens"</th>
                            </tr></thead>
                            <tbody>
                                {apps.into_iter().map(|(app, figures)| view! {
                                    <tr>
                                        <td><div class="app-name"><AppIcon app=app.clone()/><div>
                                            <a href=format!("/apps/{}", app.id)>{app.name.clone()}</a>
                                            {show_owner.then(|| view! { <div class="muted small">{app.owner_email.clone()}</div> })}
                                        </div></div></td>
                                        <td><span class="badge badge-kind">{kind_label(app.kind)}</span></td>
                                        <td class="num">{figures.installs}</td>
                                        <td class="num">{figures.active_devices}</td>
                                        <td class="num">{figures.sessions}</td>
                                        <td class="num">{figures.push_opens}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
