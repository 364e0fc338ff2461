//! The app's push settings: the FCM service account and the APNs key.

use leptos::prelude::*;
use types::push::{
    ApnsCredentials, ApnsEnvironment, OrderStatusPush, PushSettings, QuietHours,
    UpdatePushSettings, DEFAULT_ORDER_TEMPLATE,
};

use super::parts::*;
use crate::api;
use crate::components::{FormAlerts, FormState, Modal, TextField};

/// The app's push settings.
#[component]
pub(super) fn SettingsForm(app_id: String, on_done: Callback<bool>) -> impl IntoView {
    let form = FormState::new();
    let path = format!("apps/{app_id}/push-settings");
    let current = RwSignal::new(None::<PushSettings>);
    let etag = RwSignal::new(String::new());
    let fcm_json = RwSignal::new(String::new());
    let remove_fcm = RwSignal::new(false);
    let apns_key_id = RwSignal::new(String::new());
    let apns_team_id = RwSignal::new(String::new());
    let apns_topic = RwSignal::new(String::new());
    let apns_sandbox = RwSignal::new(false);
    let apns_key = RwSignal::new(String::new());
    let remove_apns = RwSignal::new(false);
    let quiet = RwSignal::new(false);
    let quiet_start = RwSignal::new("22:00".to_owned());
    let quiet_end = RwSignal::new("08:00".to_owned());
    let cap = RwSignal::new(String::new());
    let orders = RwSignal::new(false);
    let template = RwSignal::new(DEFAULT_ORDER_TEMPLATE.to_owned());
    let read_path = path.clone();
    leptos::task::spawn_local(async move {
        match api::call::<PushSettings>("GET", &read_path, None::<&()>, &[]).await {
            Ok(reply) => {
                let s = reply.body;
                etag.set(reply.etag.unwrap_or_default());
                if let Some(a) = &s.apns {
                    apns_key_id.set(a.key_id.clone());
                    apns_team_id.set(a.team_id.clone());
                    apns_topic.set(a.topic.clone());
                    apns_sandbox.set(a.environment == ApnsEnvironment::Sandbox);
                }
                if let Some(q) = &s.quiet_hours {
                    quiet.set(true);
                    quiet_start.set(q.start.clone());
                    quiet_end.set(q.end.clone());
                }
                cap.set(s.daily_cap.map(|c| c.to_string()).unwrap_or_default());
                orders.set(s.order_status.enabled);
                template.set(s.order_status.template.clone());
                current.set(Some(s));
            }
            Err(e) => form.show(&e),
        }
    });

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let had_apns = current.get_untracked().is_some_and(|s| s.apns.is_some());
        let key = apns_key.get_untracked();
        let apns = if remove_apns.get_untracked() {
            Some(None)
        } else if !key.trim().is_empty()
            || (!had_apns && !apns_key_id.get_untracked().trim().is_empty())
        {
            Some(Some(ApnsCredentials {
                key_id: apns_key_id.get_untracked().trim().to_owned(),
                team_id: apns_team_id.get_untracked().trim().to_owned(),
                topic: apns_topic.get_untracked().trim().to_owned(),
                environment: if apns_sandbox.get_untracked() {
                    ApnsEnvironment::Sandbox
                } else {
                    ApnsEnvironment::Production
                },
                private_key: key,
            }))
        } else {
            None
        };
        let fcm = if remove_fcm.get_untracked() {
            Some(None)
        } else {
            optional(&fcm_json.get_untracked()).map(Some)
        };
        let body = UpdatePushSettings {
            fcm_service_account: fcm,
            apns,
            quiet_hours: quiet.get_untracked().then(|| QuietHours {
                start: quiet_start.get_untracked(),
                end: quiet_end.get_untracked(),
            }),
            daily_cap: cap.get_untracked().trim().parse().ok(),
            order_status: Some(OrderStatusPush {
                enabled: orders.get_untracked(),
                template: template.get_untracked(),
            }),
        };
        if !form.check(&body) {
            return;
        }
        let path = path.clone();
        leptos::task::spawn_local(async move {
            let tag = etag.get_untracked();
            match api::call::<PushSettings>("PUT", &path, Some(&body), &[("If-Match", &tag)]).await
            {
                Ok(_) => on_done.run(true),
                Err(e) => form.show(&e),
            }
        });
    };

    view! {
        <Modal title="Push settings".to_owned() wide=true on_close=Callback::new(move |()| on_done.run(false))>
            <form class="modal-body form" on:submit=save novalidate>
                <FormAlerts form=form/>
                <fieldset class="choices">
                    <legend>"Firebase Cloud Messaging (Android)"</legend>
                    <p class="muted small">{move || match current.get().and_then(|s| s.fcm) {
                        Some(f) => format!("Configured: project {}, {} (key {}). Upload another key file to replace it.", f.project_id, f.client_email, f.key_id),
                        None => "Not configured. Upload the service account key file (JSON) from the Firebase console: Project settings → Service accounts.".to_owned(),
                    }}</p>
                    <label class="field"><span>"Service account key file"</span>
                        <input type="file" accept=".json,application/json" on:change=move |ev| read_file(ev, fcm_json)/></label>
                    <Show when=move || !fcm_json.get().is_empty()><p class="muted small">"Key file read; it is checked and stored encrypted when you save."</p></Show>
                    {form.error_line("fcm_service_account")}
                    <Show when=move || current.get().is_some_and(|s| s.fcm.is_some())>
                        <label class="choice"><input type="checkbox" bind:checked=remove_fcm/>"Remove the Firebase credentials"</label>
                    </Show>
                </fieldset>
                <fieldset class="choices">
                    <legend>"Apple Push Notification service (iOS)"</legend>
                    <p class="muted small">{move || match current.get().and_then(|s| s.apns) {
                        Some(a) => format!("Configured: key {} of team {} for {} ({}). Upload another .p8 key to replace it.", a.key_id, a.team_id, a.topic, a.environment),
                        None => "Not configured. Create a key with the Apple Push Notifications service in your Apple developer account (Keys), and upload its .p8 file.".to_owned(),
                    }}</p>
                    <div class="form-grid">
                        <TextField form=form label="Key ID" name="apns.key_id" value=apns_key_id maxlength=10 placeholder="ABC123DEFG"/>
                        <TextField form=form label="Team ID" name="apns.team_id" value=apns_team_id maxlength=10 placeholder="DEF123GHIJ"/>
                        <TextField form=form label="Bundle ID" name="apns.topic" value=apns_topic placeholder="com.example.shop"/>
                        <label class="field"><span>"Signing key (.p8)"</span>
                            <input type="file" accept=".p8" on:change=move |ev| read_file(ev, apns_key)/>{form.error_line("apns.private_key")}</label>
                    </div>
                    <label class="choice"><input type="checkbox" bind:checked=apns_sandbox/>"Development builds (APNs sandbox)"</label>
                    <Show when=move || current.get().is_some_and(|s| s.apns.is_some())>
                        <label class="choice"><input type="checkbox" bind:checked=remove_apns/>"Remove the APNs key"</label>
                    </Show>
                </fieldset>
                <fieldset class="choices">
                    <legend>"Sending rules"</legend>
                    <label class="choice"><input type="checkbox" bind:checked=quiet/>"Quiet hours: hold pushes during these hours of each device's own time"</label>
                    <Show when=move || quiet.get()>
                        <div class="form-grid">
                            <label class="field"><span>"From"</span><input type="time" name="quiet_hours.start" bind:value=quiet_start/>{form.error_line("quiet_hours.start")}</label>
                            <label class="field"><span>"Until"</span><input type="time" name="quiet_hours.end" bind:value=quiet_end/>{form.error_line("quiet_hours.end")}</label>
                        </div>
                    </Show>
                    <label class="field"><span>"At most this many pushes per device in 24 hours (empty: no cap)"</span>
                        <input type="number" name="daily_cap" min="1" max="100" bind:value=cap/>{form.error_line("daily_cap")}</label>
                </fieldset>
                <fieldset class="choices">
                    <legend>"Order status pushes"</legend>
                    <label class="choice"><input type="checkbox" bind:checked=orders/>"Tell the device that placed an order when its status changes"</label>
                    <label class="field"><span>"Text (<ORDER_NUMBER> and <STATUS> are filled in)"</span>
                        <input name="order_status.template" bind:value=template maxlength="500"/>{form.error_line("order_status.template")}</label>
                </fieldset>
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_done.run(false)>"Cancel"</button>
                    <button type="submit" class="button button-primary">"Save settings"</button>
                </div>
            </form>
        </Modal>
    }
}
