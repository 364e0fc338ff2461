//! Forms: one state per form (field errors from the browser's checks or the API's `errors[]`, a
//! general failure, busy, stale), text fields whose errors are tied to their inputs, and edits
//! that are safe: the record's `ETag` is taken when the form opens and sent as `If-Match`, so a
//! change someone else saved meanwhile is refused (412) instead of overwritten.

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use types::ErrorCode;
use types::FieldError;

use super::states::ErrorBox;
use crate::api::{self, ApiError};

/// The messages of `field` in a list of field errors.
pub fn field_messages(errors: &[FieldError], field: &str) -> Option<String> {
    let messages: Vec<&str> = errors
        .iter()
        .filter(|e| e.field == field)
        .map(|e| e.message.as_str())
        .collect();
    (!messages.is_empty()).then(|| messages.join("; "))
}

/// A field's key as people read it: `first_name` → "First name", `listing.title` → "Title".
fn field_name(key: &str) -> String {
    let last = key.rsplit('.').next().unwrap_or(key);
    let words = last.trim_end_matches(']').replace(['_', '['], " ");
    let mut chars = words.trim().chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Everything a form shows besides its values.
#[derive(Clone, Copy)]
pub struct FormState {
    pub errors: RwSignal<Vec<FieldError>>,
    pub failure: RwSignal<Option<String>>,
    pub busy: RwSignal<bool>,
    /// The record changed since the form opened (a 412): offer to reload it.
    pub stale: RwSignal<bool>,
    /// The record is being read: its text fields are read-only until it fills them, so nothing
    /// typed meanwhile is overwritten.
    pub loading: RwSignal<bool>,
    /// The labels of the form's fields by name, as the fields registered them: the summary
    /// names a field as its label does.
    labels: StoredValue<Vec<(&'static str, &'static str)>>,
}

impl Default for FormState {
    fn default() -> Self {
        Self::new()
    }
}

impl FormState {
    pub fn new() -> Self {
        Self {
            errors: RwSignal::new(Vec::new()),
            failure: RwSignal::new(None),
            busy: RwSignal::new(false),
            stale: RwSignal::new(false),
            loading: RwSignal::new(false),
            labels: StoredValue::new(Vec::new()),
        }
    }

    /// Names the field `name` as `label` wherever the form lists what to correct.
    pub fn label(&self, name: &'static str, label: &'static str) {
        self.labels.update_value(|labels| {
            if !labels.iter().any(|(n, _)| *n == name) {
                labels.push((name, label));
            }
        });
    }

    /// How the form names the field of an error: its label, else its name in words.
    fn name_of(&self, field: &str) -> String {
        self.labels
            .with_value(|labels| {
                labels
                    .iter()
                    .find(|(n, _)| *n == field)
                    // "Email (username)" is "Email", "Country (ISO code)" "Country".
                    .map(|(_, l)| l.split(" (").next().unwrap_or(l).to_owned())
            })
            .unwrap_or_else(|| field_name(field))
    }

    /// Clears what the last attempt showed.
    pub fn reset(&self) {
        self.errors.set(Vec::new());
        self.failure.set(None);
        self.stale.set(false);
    }

    /// Checks `body` with the API's own rules; false (with the errors shown) when it fails.
    pub fn check(&self, body: &impl validator::Validate) -> bool {
        match body.validate() {
            Ok(()) => true,
            Err(e) => {
                self.errors.set(types::problem::field_errors(&e));
                false
            }
        }
    }

    /// Shows an API refusal where it belongs: by field, as "changed meanwhile", or at the top.
    pub fn show(&self, e: &ApiError) {
        if e.is(ErrorCode::StaleVersion) {
            self.stale.set(true);
        } else if e.is(ErrorCode::EmailTaken) {
            self.errors.set(vec![FieldError {
                field: "email".into(),
                message: e.message(),
            }]);
        } else if !e.field_errors().is_empty() {
            self.errors.set(e.field_errors().to_vec());
        } else {
            self.failure.set(Some(e.message()));
        }
    }

    pub fn message(&self, field: &str) -> Option<String> {
        field_messages(&self.errors.get(), field)
    }

    /// The error line under a field (for selects and other inputs built by hand), with the id
    /// that the input's `aria-describedby` names.
    pub fn error_line(self, field: &'static str) -> impl IntoView {
        move || {
            self.message(field)
                .map(|m| view! { <span class="field-error" id=format!("{field}-error")>{m}</span> })
        }
    }
}

/// A labelled text input bound to `value`, with its errors under it and tied to it
/// (`aria-invalid`, `aria-describedby`).
#[component]
pub fn TextField(
    form: FormState,
    label: &'static str,
    name: &'static str,
    value: RwSignal<String>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] wide: bool,
    #[prop(optional)] placeholder: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] maxlength: Option<u32>,
) -> impl IntoView {
    let invalid = move || form.message(name).is_some();
    form.label(name, label);
    view! {
        <label class=if wide { "field span-2" } else { "field" }>
            <span>{label} {required.then(|| view! { <abbr title="required">"*"</abbr> })}</span>
            <input
                type=kind
                name=name
                id=name
                placeholder=(!placeholder.is_empty()).then_some(placeholder)
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                maxlength=maxlength
                required=required
                readonly=move || form.loading.get()
                aria-invalid=move || invalid().to_string()
                aria-describedby=move || invalid().then(|| format!("{name}-error"))
                bind:value=value
            />
            {form.error_line(name)}
        </label>
    }
}

/// A list filter's choice of fixed values (the first usually "All …", value `""`). Changing it
/// goes back to page 1.
#[component]
pub fn FilterSelect(
    label: &'static str,
    value: RwSignal<String>,
    page: RwSignal<u32>,
    options: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <select on:change=move |ev| { page.set(1); value.set(event_target_value(&ev)); } prop:value=move || value.get()>
                {options.iter().map(|(v, text)| view! { <option value=*v>{*text}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// The top of a form: the failure that belongs to no field, and the notice that the record
/// changed since the form opened, with a way to reload it.
#[component]
pub fn FormAlerts(
    form: FormState,
    #[prop(optional)] on_reload: Option<Callback<()>>,
) -> impl IntoView {
    // The fields to correct, named at the top as well as under each field.
    let summary = move || {
        let errors = form.errors.get();
        let mut fields: Vec<String> = Vec::new();
        for e in &errors {
            let name = form.name_of(&e.field);
            if !fields.contains(&name) {
                fields.push(name);
            }
        }
        (!fields.is_empty()).then(|| {
            let text = format!("Please correct: {}.", fields.join(", "));
            view! { <div class="alert alert-error form-summary" role="alert">{text}</div> }
        })
    };
    view! {
        {summary}
        {move || form.failure.get().map(|m| view! { <ErrorBox message=m/> })}
        {move || form.stale.get().then(|| view! {
            <div class="alert alert-error" role="alert">
                <span>"Someone else changed this record since you opened it, so your changes were not saved. "</span>
                {on_reload.map(|reload| view! {
                    <button type="button" class="button button-small" on:click=move |_| reload.run(())>"Reload it"</button>
                })}
            </div>
        })}
    }
}

/// Sets a form's fields from a record's JSON.
type Fill = Box<dyn Fn(&str) -> serde_json::Result<()>>;

/// A record being edited at `path`: read when the form opens (with its `ETag`), saved with
/// `If-Match`. `None` path: a new record, created with `POST` to the collection.
#[derive(Clone, Copy)]
pub struct EditSession {
    path: StoredValue<String>,
    etag: RwSignal<Option<String>>,
    pub loading: RwSignal<bool>,
}

impl EditSession {
    pub fn new(path: String) -> Self {
        Self {
            path: StoredValue::new(path),
            etag: RwSignal::new(None),
            loading: RwSignal::new(false),
        }
    }

    /// Reads the record now, keeps its `ETag`, and hands it to `fill` (to set the fields).
    pub fn load<T: DeserializeOwned + 'static>(self, form: FormState, fill: impl Fn(T) + 'static) {
        self.fetch(
            form,
            Box::new(move |json| serde_json::from_str(json).map(&fill)),
        );
    }

    /// The part of `load` that is the same for every record type, so the wasm has it once.
    fn fetch(self, form: FormState, fill: Fill) {
        self.loading.set(true);
        form.loading.set(true);
        leptos::task::spawn_local(async move {
            let path = self.path.get_value();
            match api::call::<serde_json::Value>("GET", &path, None::<&()>, &[]).await {
                Ok(reply) => {
                    self.etag.set(reply.etag);
                    form.reset();
                    if fill(&reply.body.to_string()).is_err() {
                        form.failure
                            .set(Some("The server answered unexpectedly.".into()));
                    }
                }
                Err(e) => form.show(&e),
            }
            self.loading.set(false);
            form.loading.set(false);
        });
    }

    /// `PATCH` with the `If-Match` read when the form opened.
    pub async fn save<T: DeserializeOwned>(self, body: &impl Serialize) -> Result<T, ApiError> {
        let etag = self.etag.get_untracked().unwrap_or_default();
        let reply = api::call::<T>(
            "PATCH",
            &self.path.get_value(),
            Some(body),
            &[("If-Match", &etag)],
        )
        .await?;
        self.etag.set(reply.etag);
        Ok(reply.body)
    }
}
