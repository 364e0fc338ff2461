//! The subscription's dialogs: pay, apply a coupon, change plan, cancel.

use leptos::prelude::*;
use types::billing::{
    ApplyCoupon, CancelSubscription, PayResult, PaySubscription, PaymentStatus, Plan, Subscription,
    SubscriptionStatus, UpdateSubscription,
};

use super::parts::*;
use crate::api;
use crate::components::{
    date, use_toasts, ErrorBox, FormAlerts, FormState, Loading, Modal, TextField, Tone,
};
use crate::money;

/// Pays what is due (or saves a payment method) with a test card; one `Idempotency-Key` per
/// attempt.
#[component]
pub(super) fn PayDialog(sub: Subscription, on_close: Callback<bool>) -> impl IntoView {
    let toasts = use_toasts();
    let method = RwSignal::new(TEST_CARDS[0].0.to_owned());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let due = sub
        .open_invoice
        .clone()
        .map(|i| money::format(i.amount_due, &i.currency));
    let path = StoredValue::new(format!("subscriptions/{}/pay", sub.id));
    let pay = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let body = PaySubscription {
            payment_method: method.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            let key = idempotency_key();
            match api::call::<PayResult>(
                "POST",
                &path.get_value(),
                Some(&body),
                &[("Idempotency-Key", &key)],
            )
            .await
            {
                Ok(reply) => {
                    let text = match reply.body.payment {
                        Some(p) if p.status == PaymentStatus::Pending => format!(
                            "Payment of {} sent; the bank confirms it in a few days.",
                            money::format(p.amount, &p.currency)
                        ),
                        Some(p) => format!("Paid {}.", money::format(p.amount, &p.currency)),
                        None => "Payment method saved for renewals.".to_owned(),
                    };
                    toasts.show(Tone::Success, text);
                    // Last: closing unmounts this dialog and its signals.
                    on_close.run(true);
                }
                Err(e) => {
                    error.set(Some(e.message()));
                    busy.set(false);
                }
            }
        });
    };
    let title = if due.is_some() {
        "Pay"
    } else {
        "Payment method"
    };
    view! {
        <Modal title=title.to_owned() on_close=Callback::new(move |()| on_close.run(error.get_untracked().is_some()))>
            <form class="modal-body form" on:submit=pay>
                <p>{match due.clone() {
                    Some(amount) => format!("{amount} is due for {}. The card is also saved for renewals.", sub.app_name),
                    None => "Nothing is due now: the card is saved and charged at the next renewal.".to_owned(),
                }}</p>
                <fieldset class="choices">
                    <legend>"Card (test mode)"</legend>
                    {TEST_CARDS.iter().map(|(id, label)| view! {
                        <label class="choice"><input type="radio" name="payment_method" value=*id
                            prop:checked=move || method.get() == *id on:change=move |_| method.set((*id).to_owned())/>{*label}</label>
                    }).collect_view()}
                </fieldset>
                <p class="muted small">"Test mode: no money moves. Card numbers never reach this back office; it keeps only the payment method's id."</p>
                {move || error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e}</div> })}
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_close.run(error.get_untracked().is_some())>"Close"</button>
                    <button type="submit" class="button button-primary" disabled=move || busy.get()>
                        {due.map_or_else(|| "Save card".to_owned(), |a| format!("Pay {a}"))}</button>
                </div>
            </form>
        </Modal>
    }
}

#[component]
pub(super) fn CouponDialog(sub: Subscription, on_close: Callback<bool>) -> impl IntoView {
    let toasts = use_toasts();
    let code = RwSignal::new(String::new());
    let replace = RwSignal::new(false);
    let form = FormState::new();
    let has_discount = sub.discount.is_some();
    let path = StoredValue::new(format!("subscriptions/{}/coupon", sub.id));
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let body = ApplyCoupon {
            code: code.get_untracked().trim().to_owned(),
            replace: replace.get_untracked(),
        };
        if !form.check(&body) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::post::<Subscription>(&path.get_value(), &body).await {
                Ok(_) => {
                    toasts.show(Tone::Success, format!("Coupon {} applied.", body.code));
                    on_close.run(true);
                }
                Err(e) => form.show(&e),
            }
        });
    };
    view! {
        <Modal title="Apply a coupon".to_owned() on_close=Callback::new(move |()| on_close.run(false))>
            <form class="modal-body form" on:submit=apply novalidate>
                <FormAlerts form=form/>
                <TextField form=form label="Coupon code" name="code" value=code required=true maxlength=40/>
                {has_discount.then(|| view! {
                    <label class="choice"><input type="checkbox" on:change=move |ev| replace.set(event_target_checked(&ev))/>
                        "Replace the discount the subscription has"</label>
                })}
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_close.run(false)>"Cancel"</button>
                    <button type="submit" class="button button-primary">"Apply"</button>
                </div>
            </form>
        </Modal>
    }
}

#[component]
pub(super) fn PlanDialog(sub: Subscription, on_close: Callback<bool>) -> impl IntoView {
    let toasts = use_toasts();
    let plans = active_plans();
    let chosen = RwSignal::new(sub.next_plan.clone().unwrap_or(sub.plan.clone()).id);
    let error = RwSignal::new(None::<String>);
    let path = StoredValue::new(format!("subscriptions/{}", sub.id));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = UpdateSubscription {
            plan_id: Some(chosen.get_untracked()),
            ..Default::default()
        };
        leptos::task::spawn_local(async move {
            match api::call::<Subscription>("PATCH", &path.get_value(), Some(&body), &[]).await {
                Ok(_) => {
                    toasts.show(Tone::Success, "The plan changes at the next period.");
                    on_close.run(true);
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    view! {
        <Modal title="Change plan".to_owned() on_close=Callback::new(move |()| on_close.run(false))>
            <form class="modal-body form" on:submit=save>
                <p class="muted">{format!("Now on {}. A new plan starts with the next period ({}).", sub.plan.name, date(&sub.current_period_end))}</p>
                <Transition fallback=|| view! { <Loading/> }>
                    {move || plans.get().map(|r| match r {
                        Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                        Ok(p) => view! { <PlanChoices plans=p.items chosen=chosen/> }.into_any(),
                    })}
                </Transition>
                {move || error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e}</div> })}
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_close.run(false)>"Cancel"</button>
                    <button type="submit" class="button button-primary">"Change plan"</button>
                </div>
            </form>
        </Modal>
    }
}

#[component]
pub(super) fn PlanChoices(plans: Vec<Plan>, chosen: RwSignal<String>) -> impl IntoView {
    view! {
        <fieldset class="choices plan-choices">
            <legend>"Plan"</legend>
            {plans.into_iter().map(|p| {
                let id = p.id.clone();
                let checked = id.clone();
                view! {
                    <label class="choice plan-choice">
                        <input type="radio" name="plan_id" value=id.clone() prop:checked=move || chosen.get() == checked
                            on:change=move |_| chosen.set(id.clone())/>
                        <span><strong>{p.name.clone()}</strong><br/>
                            <span class="muted small">{format!("{} · {} edition{}", price(&p), crate::components::edition_label(p.edition),
                                if p.trial_days > 0 { format!(" · {} days free", p.trial_days) } else { String::new() })}</span></span>
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

#[component]
pub(super) fn CancelDialog(sub: Subscription, on_close: Callback<bool>) -> impl IntoView {
    let toasts = use_toasts();
    let path = StoredValue::new(format!("subscriptions/{}/cancel", sub.id));
    let cancel = move |at_period_end: bool| {
        let body = CancelSubscription { at_period_end };
        leptos::task::spawn_local(async move {
            match api::post::<Subscription>(&path.get_value(), &body).await {
                Ok(_) => {
                    toasts.show(
                        Tone::Success,
                        if at_period_end {
                            "The subscription ends with this period."
                        } else {
                            "The subscription is canceled."
                        },
                    );
                    on_close.run(true);
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
        });
    };
    let unpaid = sub.status == SubscriptionStatus::Incomplete;
    view! {
        <Modal title="Cancel the subscription?".to_owned() on_close=Callback::new(move |()| on_close.run(false))>
            <div class="modal-body">
                <p>{if unpaid { "It has not been paid yet: it ends now and its invoice is voided.".to_owned() }
                    else { format!("At the end of the period ({}) the app keeps its edition until then; now, it goes back to Basic at once and nothing is refunded.", date(&sub.current_period_end)) }}</p>
            </div>
            <footer class="modal-actions">
                <button class="button" on:click=move |_| on_close.run(false)>"Keep it"</button>
                {(!unpaid).then(|| view! { <button class="button" on:click=move |_| cancel(true)>"At period end"</button> })}
                <button class="button button-danger" on:click=move |_| cancel(false)>"Cancel now"</button>
            </footer>
        </Modal>
    }
}
