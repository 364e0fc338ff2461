//! Where the signed-in person is signed in: each session with its browser, address and last
//! use, ended one by one or all but this one; and, for a customer, whether its partner may
//! "log in as" it.

use leptos::prelude::*;
use types::accounts::{Account, UpdateAccount};
use types::auth::{Session, SessionList};

use crate::api;
use crate::components::{date_time, use_toasts, Confirm, ErrorBox, Loading, Tone};
use crate::session::{self, Auth};

/// What is about to be ended, waiting for its confirmation.
#[derive(Clone)]
enum Ending {
    One(Session),
    Others,
}

#[component]
pub fn Sessions() -> impl IntoView {
    let toasts = use_toasts();
    let version = RwSignal::new(0_u32);
    let sessions = LocalResource::new(move || {
        version.track();
        async move { api::get::<SessionList>("me/sessions").await }
    });
    let reload = move || version.update(|v| *v += 1);
    let ending = RwSignal::new(None::<Ending>);
    let end = move |what: Ending| {
        leptos::task::spawn_local(async move {
            let (result, done) = match &what {
                Ending::One(s) => (
                    api::delete(&format!("me/sessions/{}", s.id)).await,
                    "Session ended: that browser is signed out.",
                ),
                Ending::Others => (
                    api::post::<serde_json::Value>(
                        "me/sessions/revoke-others",
                        &serde_json::json!({}),
                    )
                    .await
                    .map(|_| ()),
                    "Every other session ended.",
                ),
            };
            match result {
                Ok(()) => {
                    toasts.show(Tone::Success, done);
                    reload();
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
            ending.set(None);
        });
    };
    let others = move || {
        sessions
            .get()
            .and_then(Result::ok)
            .is_some_and(|list| list.items.iter().any(|s| !s.current))
    };
    view! {
        <section class="card" aria-labelledby="sessions-title">
            <div class="card-head">
                <h2 id="sessions-title">"Sessions"</h2>
                <span class="muted small">"Where you are signed in. End any you do not recognise, then change your password."</span>
                <Show when=others>
                    <button class="button button-small" type="button" on:click=move |_| ending.set(Some(Ending::Others))>
                        "End all other sessions"
                    </button>
                </Show>
            </div>
            <Transition fallback=|| view! { <Loading/> }>
                {move || sessions.get().map(|result| match result {
                    Err(e) => view! { <div class="pad"><ErrorBox message=e.message()/></div> }.into_any(),
                    Ok(list) => view! { <SessionTable sessions=list.items ending=ending/> }.into_any(),
                })}
            </Transition>
        </section>
        {move || ending.get().map(|what| {
            let (title, message, label) = match &what {
                Ending::One(s) => (
                    "End session?",
                    format!("{} signs out at once.", described(s)),
                    "End session",
                ),
                Ending::Others => (
                    "End all other sessions?",
                    "Every browser and program signed in as you, except this one, signs out at once.".to_owned(),
                    "End them",
                ),
            };
            view! {
                <Confirm
                    title=title.to_owned()
                    message=message
                    confirm_label=label.to_owned()
                    on_confirm=Callback::new(move |()| end(what.clone()))
                    on_cancel=Callback::new(move |()| ending.set(None))
                />
            }
        })}
    }
}

/// A session in words: its browser (or program) and address.
fn described(session: &Session) -> String {
    let device = session
        .device
        .clone()
        .unwrap_or_else(|| "An unknown browser".to_owned());
    match &session.ip {
        Some(ip) => format!("{device} at {ip}"),
        None => device,
    }
}

#[component]
fn SessionTable(sessions: Vec<Session>, ending: RwSignal<Option<Ending>>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th scope="col">"Browser"</th><th scope="col">"Address"</th>
                    <th scope="col">"Signed in"</th><th scope="col">"Last active"</th>
                    <th scope="col" class="actions-col">"Actions"</th>
                </tr></thead>
                <tbody>
                    {sessions.into_iter().map(|session| {
                        let label = format!("End the session of {}", described(&session));
                        let for_end = session.clone();
                        view! {
                            <tr>
                                <td>
                                    <strong title=session.user_agent.clone()>{session.device.clone().unwrap_or_else(|| "Unknown".to_owned())}</strong>
                                </td>
                                <td class="nowrap">{session.ip.clone().unwrap_or_else(|| "—".to_owned())}</td>
                                <td class="nowrap">{date_time(&session.created_at)}</td>
                                <td class="nowrap">{date_time(&session.last_used_at)}</td>
                                <td class="actions">
                                    {if session.current {
                                        view! { <span class="badge badge-success">"This one"</span> }.into_any()
                                    } else {
                                        view! {
                                            <button class="button button-small button-danger-quiet" type="button" aria-label=label
                                                on:click=move |_| ending.set(Some(Ending::One(for_end.clone())))>"End"</button>
                                        }.into_any()
                                    }}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A customer's consent to "log in as": its partner helps by acting as it, or not at all.
#[component]
pub fn LogInAsConsent(account: Account) -> impl IntoView {
    let auth = session::use_auth();
    let toasts = use_toasts();
    let allowed = RwSignal::new(account.allow_log_in_as);
    let saving = RwSignal::new(false);
    let change = move |ev: leptos::ev::Event| {
        let allow = event_target_checked(&ev);
        saving.set(true);
        leptos::task::spawn_local(async move {
            let body = UpdateAccount {
                allow_log_in_as: Some(allow),
            };
            match api::call::<Account>("PATCH", "account", Some(&body), &[]).await {
                Ok(reply) => {
                    allowed.set(reply.body.allow_log_in_as);
                    if let Auth::SignedIn(mut current) = auth.get_untracked() {
                        current.allow_log_in_as = reply.body.allow_log_in_as;
                        auth.set(Auth::SignedIn(current));
                    }
                    toasts.show(
                        Tone::Success,
                        if allow {
                            "Your partner may log in as you again."
                        } else {
                            "Your partner can no longer log in as you; any such session running now has ended."
                        },
                    );
                }
                Err(e) => {
                    allowed.set(!allow);
                    toasts.show(Tone::Error, e.message());
                }
            }
            saving.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="consent-title">
            <div class="card-head"><h2 id="consent-title">"Help from your partner"</h2></div>
            <div class="pad">
                <label class="check">
                    <input type="checkbox" prop:checked=move || allowed.get() on:change=change disabled=move || saving.get()/>
                    <span>"Allow my partner to “log in as” me to help with my apps"</span>
                </label>
                <p class="muted small">"Every time it does, your activity page shows it, with the name of the person who did."</p>
            </div>
        </section>
    }
}
