//! The dashboard: real figures from the API for the signed-in role.

use leptos::prelude::*;
use types::accounts::{Account, AccountStatus, PartnerFilter, Role};
use types::analytics::{Analytics, Figures as AppFigures};
use types::apps::App;
use types::audit::AuditEvent;
use types::outbox::{OutboxEmail, OutboxFilter};
use types::{query, Page, PageQuery};

use futures_util::future::{try_join4, try_join5};

use crate::api::{self, ApiError};
use crate::components::{kind_label, AppIcon, ErrorBox, Loading};
use crate::pages::activity::EventTable;
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

/// How many items of `list` match `filter` (a page of one item asked for its total).
async fn total_of<T: serde::de::DeserializeOwned>(
    list: &str,
    filter: &impl serde::Serialize,
) -> Result<i64, ApiError> {
    let path = query::list_path(list, filter, &PageQuery::after(None, 1));
    api::get::<Page<T>>(&path).await.map(|p| p.total)
}

/// An account list's total, and its activated, pending and locked parts (four requests at once).
async fn accounts_by_status(list: &str) -> Result<[i64; 4], ApiError> {
    // Both account lists read `status` the same way (`PartnerFilter`'s fields are the customers' too).
    let [all, activated, pending, locked] = [
        None,
        Some(AccountStatus::Activated),
        Some(AccountStatus::PendingActivation),
        Some(AccountStatus::Locked),
    ]
    .map(|status| PartnerFilter {
        status,
        ..PartnerFilter::default()
    });
    let (all, activated, pending, locked) = try_join4(
        total_of::<Account>(list, &all),
        total_of::<Account>(list, &activated),
        total_of::<Account>(list, &pending),
        total_of::<Account>(list, &locked),
    )
    .await?;
    Ok([all, activated, pending, locked])
}

/// The newest apps with their last 30 days (their analytics requested at once).
async fn apps_at_a_glance() -> Result<(Vec<(App, AppFigures)>, i64), ApiError> {
    let newest = query::path_with("apps", &PageQuery::after(None, APPS_SHOWN));
    let page = api::get::<Page<App>>(&newest).await?;
    // One request per app, all at once (at most APPS_SHOWN = 5).
    let figures = |n: usize| {
        let path = page
            .items
            .get(n)
            .map(|app| format!("apps/{}/analytics", app.id));
        async move {
            match path {
                Some(path) => api::get::<Analytics>(&path).await.map(|a| Some(a.totals)),
                None => Ok(None),
            }
        }
    };
    let (a, b, c, d, e) =
        try_join5(figures(0), figures(1), figures(2), figures(3), figures(4)).await?;
    let apps = page
        .items
        .iter()
        .cloned()
        .zip([a, b, c, d, e].into_iter().flatten())
        .collect();
    Ok((apps, page.total))
}

/// Everything the dashboard shows for `role`, loaded in parallel.
async fn load(role: Option<Role>) -> Result<Figures, ApiError> {
    let accounts = async move {
        Ok(match role {
            Some(Role::Admin) => Some(("partners", accounts_by_status("partners").await?)),
            Some(Role::Partner) => Some(("customers", accounts_by_status("customers").await?)),
            _ => None,
        })
    };
    let emails = async move {
        Ok(match role {
            Some(Role::Admin) => {
                Some(total_of::<OutboxEmail>("outbox", &OutboxFilter::default()).await?)
            }
            _ => None,
        })
    };
    let apps = async move {
        Ok(match role {
            Some(Role::Partner | Role::Customer) => Some(apps_at_a_glance().await?),
            _ => None,
        })
    };
    let newest_events = query::path_with("audit-events", &PageQuery::after(None, 8));
    let activity = api::get::<Page<AuditEvent>>(&newest_events);
    let (accounts, emails, apps, activity) = try_join4(accounts, emails, apps, activity).await?;
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
        <crate::pages::billing::PastDue/>
        <crate::pages::publishing::WaitingTooLong/>
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
                            <a class="stat" href="/outbox"><span class="stat-label">"Emails sent or logged"</span><span class="stat-value">{n}</span></a>
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
                                <th scope="col" class="num">"Orders"</th><th scope="col" class="num">"Revenue"</th>
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
                                        <td class="num">{figures.orders}</td>
                                        <td class="num nowrap">{figures.by_currency.first()
                                            .map_or_else(|| "—".to_owned(), |c| crate::money::format(c.revenue, &c.currency))}</td>
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
