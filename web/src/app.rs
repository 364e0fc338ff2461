//! The router and the signed-in shell: sidebar, top bar with the account menu, page outlet.

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::{lazy_route, path, Lazy, LazyRoute};
use types::accounts::Role;

use crate::components::{provide_toasts, Loading, ToastHost};
use crate::pages;
use crate::session::{self, Auth};

#[component]
pub fn App() -> impl IntoView {
    session::provide();
    provide_toasts();
    view! {
        <Router>
            <Routes fallback=|| view! { <pages::not_found::NotFound/> }>
                <Route path=path!("/login") view=pages::login::Login/>
                <Route path=path!("/activate") view=pages::activate::Activate/>
                <Route path=path!("/impersonate") view=pages::impersonate::Impersonate/>
                <Route path=path!("/forgot-password") view={Lazy::<ForgotPasswordPage>::new()}/>
                <Route path=path!("/reset-password") view={Lazy::<ResetPasswordPage>::new()}/>
                <Route path=path!("/register") view={Lazy::<SignUpPage>::new()}/>
                <ParentRoute path=path!("") view=Shell>
                    <Route path=path!("") view=pages::dashboard::Dashboard/>
                    <Route path=path!("partners") view={Lazy::<PartnersPage>::new()}/>
                    <Route path=path!("customers") view={Lazy::<CustomersPage>::new()}/>
                    <Route path=path!("apps") view={Lazy::<AppsPage>::new()}/>
                    // One route for the app and its tabs, so that a tab click keeps the page.
                    <Route path=path!("apps/:id/:tab?") view={Lazy::<AppPage>::new()}/>
                    <Route path=path!("billing") view={Lazy::<BillingPage>::new()}/>
                    <Route path=path!("plans") view={Lazy::<PlansPage>::new()}/>
                    <Route path=path!("coupons") view={Lazy::<CouponsPage>::new()}/>
                    <Route path=path!("publishing") view={Lazy::<PublishingPage>::new()}/>
                    <Route path=path!("activity") view={Lazy::<ActivityPage>::new()}/>
                    <Route path=path!("outbox") view={Lazy::<OutboxPage>::new()}/>
                    <Route path=path!("profile") view={Lazy::<ProfilePage>::new()}/>
                    <Route path=path!("webhooks") view={Lazy::<WebhooksPage>::new()}/>
                </ParentRoute>
            </Routes>
        </Router>
        <ToastHost/>
    }
}

/// Pages whose code is split off the main wasm: each is fetched (a few KB to a few dozen) the
/// first time it opens, so signing in and the dashboard do not wait for the whole back office.
macro_rules! lazy_pages {
    ($($route:ident => $page:path),* $(,)?) => {$(
        struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                Self
            }

            fn view(_this: Self) -> AnyView {
                view! { <$page/> }.into_any()
            }
        }
    )*};
}

lazy_pages! {
    PartnersPage => pages::accounts::Partners,
    CustomersPage => pages::accounts::Customers,
    AppsPage => pages::apps::Apps,
    AppPage => pages::app::AppPage,
    BillingPage => pages::billing::Billing,
    PlansPage => pages::billing::Plans,
    CouponsPage => pages::billing::Coupons,
    PublishingPage => pages::publishing::Publishing,
    ActivityPage => pages::activity::Activity,
    OutboxPage => pages::outbox::Outbox,
    ProfilePage => pages::profile::Profile,
    WebhooksPage => pages::webhooks::Webhooks,
    ForgotPasswordPage => pages::recovery::ForgotPassword,
    ResetPasswordPage => pages::recovery::ResetPassword,
    SignUpPage => pages::recovery::SignUp,
}

/// Everything behind sign-in. Signed-out visitors go to `/login?next=<where they were going>`.
#[component]
fn Shell() -> impl IntoView {
    let auth = session::use_auth();
    let location = use_location();
    move || match auth.get() {
        Auth::Checking => view! { <main class="center-page"><Loading/></main> }.into_any(),
        Auth::SignedOutByUser => view! { <Redirect path="/login"/> }.into_any(),
        Auth::SignedOut => {
            // leptos_router's `search` has no leading `?`.
            let search = location.search.get_untracked();
            let next = if search.is_empty() {
                location.pathname.get_untracked()
            } else {
                format!("{}?{search}", location.pathname.get_untracked())
            };
            let target = if next == "/" {
                "/login".to_owned()
            } else {
                types::query::path_with("/login", &[("next", &next)])
            };
            view! { <Redirect path=target/> }.into_any()
        }
        Auth::LogInAsEnded => view! { <LogInAsEnded/> }.into_any(),
        Auth::SignedIn(_) => view! {
            <a class="skip-link" href="#content" on:click=skip_to_content>"Skip to content"</a>
            <div class="shell">
                <Sidebar/>
                <div class="main">
                    <ImpersonationBanner/>
                    <TopBar/>
                    <main class="content" id="content" tabindex="-1"><Outlet/></main>
                </div>
            </div>
        }
        .into_any(),
    }
}

/// The skip link moves the keyboard focus (not only the view) to the page's content.
fn skip_to_content(ev: leptos::ev::MouseEvent) {
    ev.prevent_default();
    let content = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("content"))
        .and_then(|e| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(e).ok());
    if let Some(content) = content {
        let _ = content.focus();
    }
}

/// The main navigation: a column on the left, or on a phone a bar whose "Menu" button opens the
/// list (and any choice in it closes it again).
#[component]
fn Sidebar() -> impl IntoView {
    let role = session::role();
    let open = RwSignal::new(false);
    view! {
        <nav class="sidebar" class:open=move || open.get() aria-label="Main">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true"></span>
                <span>"Back Office"</span>
            </a>
            <button
                class="nav-toggle"
                aria-expanded=move || open.get().to_string()
                aria-controls="main-nav"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                <span aria-hidden="true">"☰"</span>" Menu"
            </button>
            // Choosing a page closes the phone menu.
            <ul class="nav" id="main-nav" on:click=move |_| open.set(false)>
                <li><A href="/" exact=true>"Dashboard"</A></li>
                {(role == Some(Role::Admin)).then(|| view! { <li><A href="/partners">"Partners"</A></li> })}
                {(role != Some(Role::Customer)).then(|| view! { <li><A href="/customers">"Customers"</A></li> })}
                <li><A href="/apps">"Apps"</A></li>
                <li><A href="/billing">"Billing"</A></li>
                <li><A href="/publishing">"Publishing"</A></li>
                {(role == Some(Role::Admin)).then(|| view! { <li><A href="/plans">"Plans"</A></li> })}
                {(role != Some(Role::Customer)).then(|| view! { <li><A href="/coupons">"Coupons"</A></li> })}
                <li><A href="/activity">"Activity"</A></li>
                <li><A href="/webhooks">"Webhooks"</A></li>
                {(role == Some(Role::Admin)).then(|| view! { <li><A href="/outbox">"Outbox"</A></li> })}
            </ul>
        </nav>
    }
}

/// "Signed in as <customer> by <partner>", with a way out, on every page of a "log in as" tab.
#[component]
fn ImpersonationBanner() -> impl IntoView {
    let auth = session::use_auth();
    session::account().filter(|a| a.impersonated_by.is_some()).map(|account| {
        let by = account.impersonated_by_email.clone().unwrap_or_else(|| "your partner".into());
        let who = account.company.clone().unwrap_or_else(|| format!("{} {}", account.first_name, account.last_name));
        view! {
            <div class="impersonation-banner" role="status">
                <span>"Signed in as " <strong>{who}</strong> " (" {account.email.clone()} ") by " <strong>{by}</strong>
                    {account.read_only.then(|| view! { " — " <span class="badge">"read-only"</span> })}
                </span>
                <button class="button button-small" on:click=move |_| leptos::task::spawn_local(session::sign_out(auth))>"Exit"</button>
            </div>
        }
    })
}

/// What a "log in as" tab shows once its session is over: plainly that, never the partner's own
/// back office in its place.
#[component]
fn LogInAsEnded() -> impl IntoView {
    let close = move |_| {
        if let Some(window) = web_sys::window() {
            let _ = window.close();
        }
    };
    view! {
        <main class="center-page">
            <div class="card narrow">
                <h1>"The “log in as” session has ended"</h1>
                <p class="muted">"This tab showed a customer's back office. That session is over: it was exited, or its hour ran out. Open it again from the customers list if you need to."</p>
                <div class="modal-actions">
                    <button class="button" on:click=move |_| session::leave_ended_tab()>"Your own back office"</button>
                    <button class="button button-primary" on:click=close>"Close tab"</button>
                </div>
            </div>
        </main>
    }
}

#[component]
fn TopBar() -> impl IntoView {
    let auth = session::use_auth();
    let open = RwSignal::new(false);
    let account = session::account();
    let name = account
        .as_ref()
        .map(|a| format!("{} {}", a.first_name, a.last_name))
        .unwrap_or_default();
    let email = account
        .as_ref()
        .map(|a| a.email.clone())
        .unwrap_or_default();
    let role = account
        .as_ref()
        .map(|a| match a.role {
            Role::Admin => "Admin",
            Role::Partner => "Partner",
            Role::Customer => "Customer",
        })
        .unwrap_or_default();
    let initials: String = name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect();
    let sign_out = move |_| leptos::task::spawn_local(session::sign_out(auth));
    view! {
        <header class="topbar">
            <div class="topbar-title"></div>
            <div class="account-menu">
                <button
                    class="account-button"
                    aria-haspopup="menu"
                    aria-expanded=move || open.get().to_string()
                    on:click=move |_| open.update(|o| *o = !*o)
                >
                    <span class="avatar" aria-hidden="true">{initials}</span>
                    <span class="account-name">{name.clone()}</span>
                </button>
                <Show when=move || open.get()>
                    <div class="menu" role="menu">
                        <div class="menu-header">
                            <strong>{name.clone()}</strong>
                            <span class="muted">{email.clone()}</span>
                            <span class="badge">{role}</span>
                        </div>
                        <a class="menu-item" role="menuitem" href="/profile" on:click=move |_| open.set(false)>"Your profile"</a>
                        <a class="menu-item" role="menuitem" href="/docs/" target="_blank" rel="noopener">"API documentation"</a>
                        <button class="menu-item" role="menuitem" on:click=sign_out>"Sign out"</button>
                    </div>
                </Show>
            </div>
        </header>
    }
}
