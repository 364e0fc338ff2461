//! Personal API tokens, for integrators: create one that reads only or also writes, for every app
//! or one (its secret is shown once), see when each was last used, revoke one.

use leptos::prelude::*;
use types::tokens::{ApiToken, ApiTokenList, CreateApiToken, CreatedApiToken, TokenScope};

use crate::api;
use crate::components::{
    date, date_time, use_toasts, Confirm, ErrorBox, FormAlerts, FormState, Loading, TextField, Tone,
};

/// The expiry choices offered, in days; the empty value is "never".
const EXPIRY_CHOICES: [(&str, &str); 5] = [
    ("7", "7 days"),
    ("30", "30 days"),
    ("90", "90 days"),
    ("365", "1 year"),
    ("", "Never"),
];

#[component]
pub fn ApiTokens() -> impl IntoView {
    let toasts = use_toasts();
    let version = RwSignal::new(0_u32);
    let tokens = LocalResource::new(move || {
        version.track();
        async move { api::get::<ApiTokenList>("me/tokens").await }
    });
    let reload = move || version.update(|v| *v += 1);
    // The apps a token may be limited to (and their names, for the table).
    let apps = LocalResource::new(|| async move { api::apps_by_name().await });
    let app_names = Signal::derive(move || {
        apps.get()
            .unwrap_or_default()
            .into_iter()
            .map(|a| (a.id, a.name))
            .collect::<Vec<_>>()
    });
    // Empty: every app.
    let only_app = RwSignal::new(String::new());

    let name = RwSignal::new(String::new());
    let expiry = RwSignal::new("90".to_owned());
    // The least a token needs: reading, unless the integration changes things.
    let scope = RwSignal::new(TokenScope::Read);
    let form = FormState::new();
    let created = RwSignal::new(None::<CreatedApiToken>);
    let revoking = RwSignal::new(None::<ApiToken>);

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let body = CreateApiToken {
            name: name.get_untracked().trim().to_owned(),
            expires_in_days: expiry.get_untracked().parse().ok(),
            scope: scope.get_untracked(),
            app_ids: Some(only_app.get_untracked())
                .filter(|id| !id.is_empty())
                .map(|id| vec![id]),
        };
        if !form.check(&body) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::post::<CreatedApiToken>("me/tokens", &body).await {
                Ok(token) => {
                    created.set(Some(token));
                    name.set(String::new());
                    only_app.set(String::new());
                    reload();
                }
                Err(e) => form.show(&e),
            }
        });
    };

    let revoke = move |token: ApiToken| {
        leptos::task::spawn_local(async move {
            match api::delete(&format!("me/tokens/{}", token.id)).await {
                Ok(()) => {
                    toasts.show(
                        Tone::Success,
                        format!("Token “{}” revoked; it no longer works.", token.name),
                    );
                    reload();
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
            revoking.set(None);
        });
    };

    view! {
        <section class="card" aria-labelledby="api-tokens-title">
            <div class="card-head">
                <h2 id="api-tokens-title">"API tokens"</h2>
                <span class="muted small">"For integrations: send one as " <code>"Authorization: Bearer …"</code> "; it acts as you — a read-only one cannot change anything, one limited to an app reaches that app alone."</span>
            </div>
            {move || created.get().map(|token| view! { <NewSecret token=token on_done=Callback::new(move |()| created.set(None))/> })}
            <form class="filters" on:submit=create novalidate aria-label="Create an API token">
                <div class="grow">
                    <TextField form=form label="Token name" name="name" value=name required=true placeholder="ERP sync" maxlength=100/>
                </div>
                <label class="field"><span>"Access"</span>
                    <select
                        on:change=move |ev| scope.set(if event_target_value(&ev) == "write" { TokenScope::Write } else { TokenScope::Read })
                        prop:value=move || scope.get().as_str()
                    >
                        <option value="read">"Read only"</option>
                        <option value="write">"Read and write"</option>
                    </select>
                    {form.error_line("scope")}
                </label>
                <label class="field"><span>"Apps"</span>
                    <select on:change=move |ev| only_app.set(event_target_value(&ev)) prop:value=move || only_app.get()>
                        <option value="">"All apps"</option>
                        {move || app_names.get().into_iter().map(|(id, name)| view! { <option value=id>{format!("Only {name}")}</option> }).collect_view()}
                    </select>
                    {form.error_line("app_ids")}
                </label>
                <label class="field"><span>"Expires after"</span>
                    <select on:change=move |ev| expiry.set(event_target_value(&ev)) prop:value=move || expiry.get()>
                        {EXPIRY_CHOICES.iter().map(|(value, label)| view! { <option value=*value>{*label}</option> }).collect_view()}
                    </select>
                    {form.error_line("expires_in_days")}
                </label>
                <button class="button button-primary" type="submit">"Create token"</button>
            </form>
            <div class="pad-x"><FormAlerts form=form/></div>
            <Transition fallback=|| view! { <Loading/> }>
                {move || tokens.get().map(|result| match result {
                    Err(e) => view! { <div class="pad"><ErrorBox message=e.message()/></div> }.into_any(),
                    Ok(list) if list.items.is_empty() => view! {
                        <p class="muted pad">"No API tokens yet."</p>
                    }.into_any(),
                    Ok(list) => view! { <TokenTable tokens=list.items app_names=app_names revoking=revoking/> }.into_any(),
                })}
            </Transition>
        </section>
        {move || revoking.get().map(|token| {
            let for_confirm = token.clone();
            view! {
                <Confirm
                    title="Revoke API token?".to_owned()
                    message=format!("“{}” ({}…) stops working at once: integrations that use it will get 401.", token.name, token.prefix)
                    confirm_label="Revoke".to_owned()
                    on_confirm=Callback::new(move |()| revoke(for_confirm.clone()))
                    on_cancel=Callback::new(move |()| revoking.set(None))
                />
            }
        })}
    }
}

/// The secret of a token just created: shown this once, with a copy button.
#[component]
fn NewSecret(token: CreatedApiToken, on_done: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let secret = token.secret.clone();
    let copy = move |_| toasts.copy(secret.clone(), "Token");
    view! {
        <div class="key-box just-created" role="status">
            <strong>{format!("“{}” created", token.token.name)}</strong>
            <code aria-label="Secret of the new token">{token.secret.clone()}</code>
            <button class="button button-small" type="button" on:click=copy>"Copy"</button>
            <button class="button button-small" type="button" on:click=move |_| on_done.run(())>"Done"</button>
            <span class="muted small">"Copy it now: it is not shown again."</span>
        </div>
    }
}

#[component]
fn TokenTable(
    tokens: Vec<ApiToken>,
    app_names: Signal<Vec<(String, String)>>,
    revoking: RwSignal<Option<ApiToken>>,
) -> impl IntoView {
    let now_ms = js_sys::Date::now();
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"Token"</th><th scope="col">"Access"</th><th scope="col">"Apps"</th><th scope="col">"Created"</th>
                    <th scope="col">"Last used"</th><th scope="col">"Expires"</th>
                    <th scope="col" class="actions-col">"Actions"</th>
                </tr></thead>
                <tbody>
                    {tokens.into_iter().map(|token| {
                        #[allow(clippy::cast_precision_loss)]
                        let expired = token.expires_at.is_some_and(|t| (t.timestamp_millis() as f64) <= now_ms);
                        let expires = match (&token.expires_at, expired) {
                            (None, _) => view! { <span class="muted">"Never"</span> }.into_any(),
                            (Some(_), true) => view! { <span class="badge badge-danger">"Expired"</span> }.into_any(),
                            (Some(t), false) => date(t).into_any(),
                        };
                        let limit = token.app_ids.clone();
                        let apps = move || match &limit {
                            None => "All".to_owned(),
                            Some(ids) => {
                                let names = app_names.get();
                                ids.iter()
                                    .map(|id| names.iter().find(|(i, _)| i == id).map_or_else(|| format!("App {id}"), |(_, n)| n.clone()))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            }
                        };
                        let label = format!("Revoke {}", token.name);
                        let for_revoke = token.clone();
                        view! {
                            <tr>
                                <td><strong>{token.name.clone()}</strong></td>
                                <td><code>{format!("{}…", token.prefix)}</code></td>
                                <td class="nowrap">{match token.scope {
                                    TokenScope::Read => view! { <span class="badge">"Read only"</span> }.into_any(),
                                    TokenScope::Write => view! { <span class="badge badge-warning">"Read and write"</span> }.into_any(),
                                }}</td>
                                <td>{apps}</td>
                                <td class="nowrap">{date(&token.created_at)}</td>
                                <td class="nowrap">{token.last_used_at.as_ref().map_or_else(|| "Never".to_owned(), date_time)}</td>
                                <td class="nowrap">{expires}</td>
                                <td class="actions">
                                    <button class="button button-small button-danger-quiet" aria-label=label
                                        on:click=move |_| revoking.set(Some(for_revoke.clone()))>"Revoke"</button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
