//! An app's Billing tab: its subscription card, or subscribing with a priced preview.

use leptos::prelude::*;
use types::billing::{
    CreateSubscription, PreviewQuery, Subscription, SubscriptionStatus, UpcomingCharge,
    UpdateSubscription,
};
use types::{query, ErrorCode};

use super::dialogs::*;
use super::overview::Payments;
use super::parts::*;
use crate::api;
use crate::components::{
    date, use_toasts, Empty, ErrorBox, FormAlerts, FormState, Loading, TextField, Tone,
};
use crate::money;

/// An app's Billing tab: its subscription, or the form to subscribe.
#[component]
pub fn BillingTab(app_id: String, on_change: Callback<()>) -> impl IntoView {
    // A change of subscription can change the app's edition (and so its tabs): the app page reads
    // the app again and renders this tab afresh, which reads the subscription again.
    let changed = Callback::new(move |()| on_change.run(()));
    let path = StoredValue::new(format!("apps/{app_id}/subscription"));
    let current = LocalResource::new(move || {
        let path = path.get_value();
        async move { api::get::<Subscription>(&path).await }
    });
    view! {
        <Transition fallback=|| view! { <Loading/> }>
            {move || current.get().map(|result| match result {
                Ok(sub) => view! { <SubscriptionCard sub=sub on_change=changed/> }.into_any(),
                Err(e) if e.is(ErrorCode::NoSubscription) => view! {
                    <Subscribe app_path=path.get_value() on_done=changed/>
                }.into_any(),
                Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
            })}
        </Transition>
    }
}

/// What an open dialog of a subscription is for.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Dialog {
    Pay,
    Coupon,
    Plan,
    Cancel,
}

#[component]
pub(super) fn SubscriptionCard(sub: Subscription, on_change: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let dialog = RwSignal::new(None::<Dialog>);
    let close = Callback::new(move |changed: bool| {
        dialog.set(None);
        if changed {
            on_change.run(());
        }
    });
    let live = !matches!(
        sub.status,
        SubscriptionStatus::Canceled | SubscriptionStatus::IncompleteExpired
    );
    let id = StoredValue::new(sub.id.clone());
    let keep = move |_| {
        let body = UpdateSubscription {
            cancel_at_period_end: Some(false),
            ..Default::default()
        };
        leptos::task::spawn_local(async move {
            match api::call::<Subscription>(
                "PATCH",
                &format!("subscriptions/{}", id.get_value()),
                Some(&body),
                &[],
            )
            .await
            {
                Ok(_) => {
                    toasts.show(Tone::Success, "The subscription will renew.");
                    on_change.run(());
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
        });
    };
    let button = move |d: Dialog, label: &'static str, class: &'static str| {
        view! {
            <button class=class type="button" on:click=move |_| dialog.set(Some(d))>{label}</button>
        }
    };
    let for_dialogs = StoredValue::new(sub.clone());
    let s = sub;
    view! {
        <section class="card pad" aria-labelledby="subscription-title">
            <div class="card-head">
                <h2 id="subscription-title">{s.plan.name.clone()}" "{subscription_badge(s.status)}</h2>
                <span class="muted">{price(&s.plan)}</span>
            </div>
            {(s.status == SubscriptionStatus::PastDue).then(|| view! {
                <div class="alert alert-error" role="alert">"The last charge failed. Pay now or update the payment method to keep the subscription."</div>
            })}
            <dl class="facts">
                <dt>"Current period"</dt><dd>{format!("{} – {}", date(&s.current_period_start), date(&s.current_period_end))}</dd>
                {s.trial_end.map(|t| view! { <dt>"Trial ends"</dt><dd>{date(&t)}</dd> })}
                {s.upcoming.clone().map(|u| view! { <dt>"Next charge"</dt><dd>{format!("{} on {}", money::format(u.total, &u.currency), date(&u.at))}</dd> })}
                {s.cancel_at_period_end.then(|| view! { <dt>"Ends"</dt><dd>{date(&s.current_period_end)}</dd> })}
                {s.next_plan.clone().map(|p| view! { <dt>"From the next period"</dt><dd>{format!("{} ({})", p.name, price(&p))}</dd> })}
                {s.discount.clone().map(|d| view! { <dt>"Discount"</dt><dd>{format!("{}: {}", d.code, discount_text(d.percent_off, d.amount_off, d.currency.as_deref(), d.duration, None))}</dd> })}
                <dt>"Payment method"</dt><dd>{s.payment_method.clone().map(|pm| card_label(&pm)).unwrap_or_else(|| "None saved".into())}</dd>
                {s.open_invoice.clone().map(|i| view! {
                    <dt>"Amount due"</dt>
                    <dd><strong>{money::format(i.amount_due, &i.currency)}</strong>{format!(" · invoice {}", i.number.unwrap_or_default())}
                        {i.next_payment_attempt.map(|t| view! { <span class="muted small">{format!(" · retried {}", date(&t))}</span> })}</dd>
                })}
            </dl>
            {live.then(|| view! {
                <div class="order-actions">
                    {if s.open_invoice.is_some() { button(Dialog::Pay, "Pay now", "button button-primary") }
                     else { button(Dialog::Pay, "Update payment method", "button") }}
                    {button(Dialog::Coupon, "Apply a coupon", "button")}
                    {(s.status != SubscriptionStatus::Incomplete).then(|| button(Dialog::Plan, "Change plan", "button"))}
                    {if s.cancel_at_period_end {
                        view! { <button class="button" type="button" on:click=keep>"Keep subscription"</button> }.into_any()
                    } else { button(Dialog::Cancel, "Cancel subscription", "button button-danger-quiet").into_any() }}
                </div>
            })}
        </section>
        <Payments subscription=Some(s.id.clone())/>
        {move || dialog.get().map(|d| {
            let sub = for_dialogs.get_value();
            match d {
                Dialog::Pay => view! { <PayDialog sub=sub on_close=close/> }.into_any(),
                Dialog::Coupon => view! { <CouponDialog sub=sub on_close=close/> }.into_any(),
                Dialog::Plan => view! { <PlanDialog sub=sub on_close=close/> }.into_any(),
                Dialog::Cancel => view! { <CancelDialog sub=sub on_close=close/> }.into_any(),
            }
        })}
    }
}

/// Subscribing an app: a plan, an optional coupon checked as it is typed, the first charge priced
/// by the API; then paying, when something is due at once.
#[component]
pub(super) fn Subscribe(app_path: String, on_done: Callback<()>) -> impl IntoView {
    let plans = active_plans();
    let chosen = RwSignal::new(String::new());
    let (coupon, checked_coupon) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let form = FormState::new();
    let paying = RwSignal::new(None::<Subscription>);
    let base = StoredValue::new(app_path);
    // The coupon is checked once typing pauses.
    Effect::new(move |_| {
        let typed = coupon.get();
        set_timeout(
            move || {
                if coupon.get_untracked() == typed {
                    checked_coupon.set(typed.trim().to_owned());
                }
            },
            std::time::Duration::from_millis(400),
        );
    });
    let preview = LocalResource::new(move || {
        let (plan, code) = (chosen.get(), checked_coupon.get());
        let priced = PreviewQuery {
            plan_id: plan.clone(),
            coupon_code: query::text(&code),
        };
        let path = query::path_with(&format!("{}/preview", base.get_value()), &priced);
        async move {
            if plan.is_empty() {
                None
            } else {
                Some(api::get::<UpcomingCharge>(&path).await)
            }
        }
    });
    let subscribe = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let body = CreateSubscription {
            plan_id: chosen.get_untracked(),
            coupon_code: Some(coupon.get_untracked().trim().to_owned()).filter(|c| !c.is_empty()),
        };
        if !form.check(&body) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::post::<Subscription>(&base.get_value(), &body).await {
                Ok(sub) if sub.open_invoice.is_some() => paying.set(Some(sub)),
                Ok(_) => on_done.run(()),
                Err(e) => form.show(&e),
            }
        });
    };
    view! {
        <section class="card pad" aria-labelledby="subscribe-title">
            <div class="card-head"><h2 id="subscribe-title">"Subscribe"</h2>
                <span class="muted small">"A paid subscription lets the app be published and sets its edition."</span></div>
            <form class="form" on:submit=subscribe novalidate>
                <FormAlerts form=form/>
                <Transition fallback=|| view! { <Loading/> }>
                    {move || plans.get().map(|r| match r {
                        Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                        Ok(p) if p.items.is_empty() => view! { <Empty title="No plans yet" hint="An administrator adds the plans."/> }.into_any(),
                        Ok(p) => view! { <PlanChoices plans=p.items chosen=chosen/> }.into_any(),
                    })}
                </Transition>
                {form.error_line("plan_id")}
                <TextField form=form label="Coupon code (optional)" name="coupon_code" value=coupon maxlength=40/>
                {move || preview.get().flatten().map(|r| match r {
                    Ok(c) => view! {
                        <dl class="totals" aria-live="polite">
                            <dt>"Price"</dt><dd>{money::format(c.subtotal, &c.currency)}</dd>
                            {(c.discount > 0).then(|| view! { <dt>"Discount"</dt><dd>{money::format(-c.discount, &c.currency)}</dd> })}
                            <dt>"VAT"</dt><dd>{money::format(c.tax, &c.currency)}</dd>
                            <dt class="total">{format!("Charged {}", date(&c.at))}</dt><dd class="total">{money::format(c.total, &c.currency)}</dd>
                        </dl>
                    }.into_any(),
                    Err(e) => view! { <p class="field-error" role="status">{e.message()}</p> }.into_any(),
                })}
                <div class="modal-actions">
                    <button type="submit" class="button button-primary" disabled=move || chosen.get().is_empty()>"Subscribe"</button>
                </div>
            </form>
        </section>
        {move || paying.get().map(|sub| view! { <PayDialog sub=sub on_close=Callback::new(move |_| on_done.run(()))/> })}
    }
}
