//! Create or edit an app, checked in the browser with the API's rules. An edit reads the app when
//! the form opens and saves with its `ETag`.

use leptos::prelude::*;
use types::accounts::{Account, Role};
use types::apps::{App, AppEdition, AppKind, CreateApp, UpdateApp};
use types::FieldError;

use crate::api;
use crate::components::{EditSession, FormAlerts, FormState, Modal, TextField};
use crate::session;

#[derive(Clone, Copy)]
struct Fields {
    name: RwSignal<String>,
    store_url: RwSignal<String>,
    icon_url: RwSignal<String>,
    ios: RwSignal<String>,
    android: RwSignal<String>,
    kind: RwSignal<String>,
    edition: RwSignal<String>,
    owner: RwSignal<String>,
}

impl Fields {
    fn new() -> Self {
        let text = |v: &str| RwSignal::new(v.to_owned());
        Self {
            name: text(""),
            store_url: text(""),
            icon_url: text(""),
            ios: text(""),
            android: text(""),
            kind: text("standalone"),
            edition: text("basic"),
            owner: text(""),
        }
    }

    fn fill(self, app: &App) {
        self.name.set(app.name.clone());
        self.store_url
            .set(app.store_url.clone().unwrap_or_default());
        self.icon_url.set(app.icon_url.clone().unwrap_or_default());
        self.ios.set(app.ios_bundle_id.clone().unwrap_or_default());
        self.android
            .set(app.android_package_name.clone().unwrap_or_default());
        self.kind.set(app.kind.as_str().to_owned());
        self.edition.set(app.edition.as_str().to_owned());
    }

    fn opt(s: RwSignal<String>) -> Option<String> {
        Some(s.get_untracked().trim().to_owned()).filter(|v| !v.is_empty())
    }

    /// The body to send, if the browser's checks (and the Magento store rule) pass.
    fn body(self, creating: bool, form: FormState) -> Option<serde_json::Value> {
        let kind: AppKind = self
            .kind
            .get_untracked()
            .parse()
            .unwrap_or(AppKind::Standalone);
        let edition: AppEdition = self
            .edition
            .get_untracked()
            .parse()
            .unwrap_or(AppEdition::Basic);
        let body = if creating {
            let b = CreateApp {
                name: self.name.get_untracked(),
                kind,
                edition,
                owner_id: Self::opt(self.owner),
                store_url: Self::opt(self.store_url),
                icon_url: Self::opt(self.icon_url),
                ios_bundle_id: Self::opt(self.ios),
                android_package_name: Self::opt(self.android),
            };
            form.check(&b)
                .then(|| serde_json::to_value(b).ok())
                .flatten()
        } else {
            let b = UpdateApp {
                name: Some(self.name.get_untracked()),
                edition: Some(edition),
                store_url: Some(Self::opt(self.store_url)),
                icon_url: Some(Self::opt(self.icon_url)),
                ios_bundle_id: Some(Self::opt(self.ios)),
                android_package_name: Some(Self::opt(self.android)),
            };
            form.check(&b)
                .then(|| serde_json::to_value(b).ok())
                .flatten()
        };
        if kind == AppKind::Magento && Self::opt(self.store_url).is_none() {
            form.errors.update(|e| {
                e.push(FieldError {
                    field: "store_url".into(),
                    message: "is required for magento apps".into(),
                })
            });
            return None;
        }
        body
    }
}

/// Create (no `app`) or edit an app.
#[component]
pub fn AppForm(
    app: Option<App>,
    owners: Vec<Account>,
    on_done: Callback<Option<(App, bool)>>,
) -> impl IntoView {
    let role = session::role();
    let creating = app.is_none();
    let fields = Fields::new();
    let form = FormState::new();
    let session = app
        .as_ref()
        .map(|a| EditSession::new(format!("apps/{}", a.id)));
    let load = move || {
        if let Some(session) = session {
            session.load(form, move |fresh: App| fields.fill(&fresh));
        }
    };
    if let Some(a) = &app {
        fields.fill(a);
    }
    load();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let Some(body) = fields.body(creating, form) else {
            return;
        };
        form.busy.set(true);
        leptos::task::spawn_local(async move {
            let result = match session {
                None => api::post::<App>("apps", &body).await.map(|a| (a, true)),
                Some(session) => session.save::<App>(&body).await.map(|a| (a, false)),
            };
            match result {
                Ok(saved) => on_done.run(Some(saved)),
                Err(e) => form.show(&e),
            }
            form.busy.set(false);
        });
    };
    let loading = move || session.is_some_and(|s| s.loading.get());
    view! {
        <Modal title=if creating { "New app".to_owned() } else { "Edit app".to_owned() } on_close=Callback::new(move |_| on_done.run(None))>
            <form class="form" on:submit=submit novalidate aria-busy=move || loading().to_string()>
                <FormAlerts form=form on_reload=Callback::new(move |_| load())/>
                <div class="form-grid">
                    <TextField form=form label="Name" name="name" value=fields.name required=true wide=true/>
                    <label class="field">
                        <span>"Kind"</span>
                        <select name="kind" disabled=!creating on:change=move |ev| fields.kind.set(event_target_value(&ev)) prop:value=move || fields.kind.get()>
                            <option value="standalone">"Stand-alone"</option>
                            <option value="magento">"Magento"</option>
                        </select>
                    </label>
                    <label class="field">
                        <span>"Edition"</span>
                        <select name="edition" on:change=move |ev| fields.edition.set(event_target_value(&ev)) prop:value=move || fields.edition.get()>
                            <option value="basic">"Basic"</option>
                            <option value="standard">"Standard (orders, quote requests)"</option>
                        </select>
                    </label>
                    <label class="field span-2">
                        <span>{move || if fields.kind.get() == "magento" { "Magento store URL *" } else { "Web shop URL (optional)" }}</span>
                        <input type="url" name="store_url" placeholder="https://shop.example" bind:value=fields.store_url
                            aria-invalid=move || form.message("store_url").is_some().to_string()
                            aria-describedby=move || form.message("store_url").map(|_| "store_url-error")/>
                        {form.error_line("store_url")}
                    </label>
                    <TextField form=form label="iOS bundle id" name="ios_bundle_id" value=fields.ios placeholder="com.example.shop"/>
                    <TextField form=form label="Android package name" name="android_package_name" value=fields.android placeholder="com.example.shop"/>
                    <TextField form=form label="Icon URL" name="icon_url" kind="url" value=fields.icon_url wide=true placeholder="https://cdn.example/icon.png"/>
                    {(creating && role != Some(Role::Customer)).then(|| view! {
                        <label class="field span-2">
                            <span>"Owner" {(role == Some(Role::Admin)).then(|| view! { <abbr title="required">"*"</abbr> })}</span>
                            <select name="owner_id" on:change=move |ev| fields.owner.set(event_target_value(&ev)) prop:value=move || fields.owner.get()>
                                {(role == Some(Role::Partner)).then(|| view! { <option value="">"Me (my own app)"</option> })}
                                {(role == Some(Role::Admin)).then(|| view! { <option value="">"Choose a customer"</option> })}
                                {owners.iter().map(|c| {
                                    let label = format!("{} ({})", c.company.clone().unwrap_or_else(|| format!("{} {}", c.first_name, c.last_name)), c.email);
                                    view! { <option value=c.id.clone()>{label}</option> }
                                }).collect_view()}
                            </select>
                            {form.error_line("owner_id")}
                        </label>
                    })}
                </div>
                <p class="muted small">{if creating {
                    "The kind cannot change later. The app gets a public key for the SDK when it is created."
                } else {
                    "The kind and the owner of an app cannot change."
                }}</p>
                <footer class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_done.run(None)>"Cancel"</button>
                    <button type="submit" class="button button-primary" disabled=move || form.busy.get() || loading()>{if creating { "Create app" } else { "Save" }}</button>
                </footer>
            </form>
        </Modal>
    }
}
