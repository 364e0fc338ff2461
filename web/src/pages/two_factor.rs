//! Two-step sign-in in the profile: set up an authenticator app (its QR code, made by the
//! server, or its key typed in), confirm it with a code, keep the recovery codes shown once; then
//! new recovery codes or turning it off, each with a code from the app.

use leptos::prelude::*;
use types::auth::{RecoveryCodes, TotpEnrolment, TwoFactorCode, TwoFactorStatus};

use crate::api;
use crate::components::{use_toasts, ErrorBox, FormAlerts, FormState, Loading, TextField, Tone};

/// Where the card is.
#[derive(Clone)]
enum Step {
    /// Showing the status (from the server).
    Status,
    /// An app being set up: its secret and QR code.
    Enrolling(TotpEnrolment),
    /// Recovery codes just made: shown this once.
    Codes(Vec<String>),
}

#[component]
pub fn TwoFactor() -> impl IntoView {
    let toasts = use_toasts();
    let version = RwSignal::new(0_u32);
    let status = LocalResource::new(move || {
        version.track();
        async move { api::get::<TwoFactorStatus>("me/two-factor").await }
    });
    let step = RwSignal::new(Step::Status);
    let code = RwSignal::new(String::new());
    let form = FormState::new();
    let done = move || {
        code.set(String::new());
        form.reset();
        version.update(|v| *v += 1);
    };

    let start = move |_| {
        form.reset();
        leptos::task::spawn_local(async move {
            match api::post::<TotpEnrolment>("me/two-factor/totp", &serde_json::json!({})).await {
                Ok(enrolment) => step.set(Step::Enrolling(enrolment)),
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
        });
    };
    // One form posts the code to where the card is: confirm an app, new codes, or off.
    let send = move |path: &'static str, method: &'static str| {
        form.reset();
        let body = TwoFactorCode {
            code: code.get_untracked().trim().replace(' ', ""),
        };
        if !form.check(&body) {
            return;
        }
        leptos::task::spawn_local(async move {
            let result = api::call::<Option<RecoveryCodes>>(method, path, Some(&body), &[]).await;
            match result {
                Ok(reply) => {
                    done();
                    match reply.body {
                        Some(codes) => step.set(Step::Codes(codes.recovery_codes)),
                        None => {
                            step.set(Step::Status);
                            toasts.show(
                                Tone::Success,
                                "Two-step sign-in is off: your password alone signs you in.",
                            );
                        }
                    }
                }
                Err(e) => form.show(&e),
            }
        });
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        send("me/two-factor/totp/confirm", "POST");
    };

    view! {
        <section class="card" aria-labelledby="two-factor-title">
            <div class="card-head">
                <h2 id="two-factor-title">"Two-step sign-in"</h2>
                <span class="muted small">"After your password, a code from an authenticator app on your phone (Google Authenticator, 1Password, Authy…)."</span>
            </div>
            {move || match step.get() {
                Step::Enrolling(enrolment) => {
                    let qr = web_sys::window()
                        .and_then(|w| w.btoa(&enrolment.qr_svg).ok())
                        .map(|b64| format!("data:image/svg+xml;base64,{b64}"))
                        .unwrap_or_default();
                    view! {
                        <form class="form pad" on:submit=confirm novalidate aria-label="Set up an authenticator app">
                            <FormAlerts form=form/>
                            <div class="enrol">
                                <img class="qr" src=qr width="200" height="200" alt="QR code to scan with your authenticator app"/>
                                <div>
                                    <p>"1. Scan the code with your authenticator app, or type this key in:"</p>
                                    <p><code class="secret" aria-label="Key for your authenticator app">{enrolment.secret.clone()}</code></p>
                                    <p>"2. Enter the 6-digit code the app now shows."</p>
                                    <TextField form=form label="Code from the app" name="code" value=code required=true autocomplete="one-time-code" maxlength=10/>
                                </div>
                            </div>
                            <footer class="modal-actions">
                                <button class="button" type="button" on:click=move |_| { step.set(Step::Status); done(); }>"Cancel"</button>
                                <button class="button button-primary" type="submit">"Turn on"</button>
                            </footer>
                        </form>
                    }.into_any()
                }
                Step::Codes(codes) => {
                    let text = codes.join("\n");
                    view! {
                        <div class="pad" role="status">
                            <p><strong>"Two-step sign-in is on."</strong>" Keep these recovery codes somewhere safe: each signs you in once if you lose your phone. They are not shown again."</p>
                            <ul class="recovery-codes" aria-label="Recovery codes">
                                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
                            </ul>
                            <footer class="modal-actions">
                                <button class="button" type="button" on:click=move |_| api::download("back-office-recovery-codes.txt", "text/plain", &text)>"Download"</button>
                                <button class="button button-primary" type="button" on:click=move |_| step.set(Step::Status)>"I have kept them"</button>
                            </footer>
                        </div>
                    }.into_any()
                }
                Step::Status => view! {
                    <Transition fallback=|| view! { <Loading/> }>
                        {move || status.get().map(|result| match result {
                            Err(e) => view! { <div class="pad"><ErrorBox message=e.message()/></div> }.into_any(),
                            Ok(now) if !now.totp => view! {
                                <div class="pad">
                                    <p class="muted">"Off: your password alone signs you in."</p>
                                    <button class="button button-primary" type="button" on:click=start>"Set up an authenticator app"</button>
                                </div>
                            }.into_any(),
                            Ok(now) => view! {
                                <form class="form pad" novalidate aria-label="Manage two-step sign-in"
                                    on:submit=move |ev: leptos::ev::SubmitEvent| ev.prevent_default()>
                                    <p><span class="badge badge-success">"On"</span>" "{format!("{} recovery codes left.", now.recovery_codes_left)}</p>
                                    <FormAlerts form=form/>
                                    <TextField form=form label="Code from the app (or a recovery code, to turn it off)" name="code" value=code autocomplete="one-time-code" maxlength=40/>
                                    <footer class="modal-actions">
                                        <button class="button" type="button" on:click=move |_| send("me/two-factor/recovery-codes", "POST")>"New recovery codes"</button>
                                        <button class="button button-danger-quiet" type="button" on:click=move |_| send("me/two-factor", "DELETE")>"Turn off"</button>
                                    </footer>
                                </form>
                            }.into_any(),
                        })}
                    </Transition>
                }.into_any(),
            }}
        </section>
    }
}
