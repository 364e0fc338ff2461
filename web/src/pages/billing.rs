//! "Billing Subscriptions Management" and "Payment Overview": the Billing page (subscriptions
//! and payments within reach), an app's Billing tab (subscribe with a priced preview, pay,
//! coupon, change of plan, cancel), and the administrators' plans and coupons.

use leptos::prelude::*;
use types::billing::{
    ApplyCoupon, CancelSubscription, Coupon, CouponDuration, CreateCoupon, CreatePlan,
    CreateSubscription, PayResult, PaySubscription, Payment, PaymentStatus, Plan, Subscription,
    SubscriptionStatus, UpcomingCharge, UpdatePlan, UpdateSubscription,
};
use types::Page;

use crate::api;
use crate::components::{
    date, date_time, range_backwards, url_page, url_state, use_toasts, Confirm, Empty, ErrorBox,
    FilterSelect, FormAlerts, FormState, ListAlert, Loading, Modal, Pager, TextField, Tone,
    RANGE_BACKWARDS,
};
use crate::money;

const PER_PAGE: u32 = 20;

/// Stripe's test payment methods the `test` provider knows, as a person would pick them.
const TEST_CARDS: [(&str, &str); 3] = [
    ("pm_card_visa", "Visa •••• 4242 (succeeds)"),
    ("pm_card_chargeDeclined", "Visa •••• 0002 (declined)"),
    (
        "pm_card_chargeDeclinedInsufficientFunds",
        "Visa •••• 9995 (insufficient funds)",
    ),
];

fn bump(v: RwSignal<u32>) {
    v.update(|v| *v += 1);
}

pub fn subscription_badge(status: SubscriptionStatus) -> impl IntoView {
    let tone = match status {
        SubscriptionStatus::Active => "badge-success",
        SubscriptionStatus::Trialing => "badge-kind",
        SubscriptionStatus::Incomplete | SubscriptionStatus::PastDue => "badge-warning",
        SubscriptionStatus::Canceled | SubscriptionStatus::IncompleteExpired => "badge-danger",
    };
    view! { <span class=format!("badge {tone}")>{status.label()}</span> }
}

fn payment_badge(p: &Payment) -> impl IntoView {
    match p.status {
        PaymentStatus::Succeeded => view! { <span class="badge badge-success">"Paid"</span> }.into_any(),
        PaymentStatus::Pending => view! {
            <span class="badge badge-warning" title="The payment provider has not confirmed it yet">"Processing"</span>
        }
        .into_any(),
        PaymentStatus::Failed => view! {
            <span class="badge badge-danger" title=p.failure_message.clone()>
                {format!("Failed: {}", p.failure_code.clone().unwrap_or_default().replace('_', " "))}
            </span>
        }
        .into_any(),
    }
}

/// "€49.00 / month".
fn price(plan: &Plan) -> String {
    let per = match plan.interval {
        types::billing::BillingInterval::Month => "month",
        types::billing::BillingInterval::Year => "year",
    };
    format!("{} / {per}", money::format(plan.price, &plan.currency))
}

/// "25 % off" or "€10.00 off", and for how long.
fn discount_text(
    percent: Option<i32>,
    amount: Option<i64>,
    currency: Option<&str>,
    duration: CouponDuration,
    months: Option<i32>,
) -> String {
    let off = match (percent, amount) {
        (Some(p), _) => format!("{p} % off"),
        (None, Some(a)) => format!("{} off", money::format(a, currency.unwrap_or("EUR"))),
        _ => String::new(),
    };
    let how_long = match (duration, months) {
        (CouponDuration::Once, _) => "the next invoice".to_owned(),
        (CouponDuration::Repeating, Some(m)) => format!("{m} months"),
        (CouponDuration::Repeating, None) => "some months".to_owned(),
        (CouponDuration::Forever, _) => "every invoice".to_owned(),
    };
    format!("{off}, {how_long}")
}

/// A fresh `Idempotency-Key` for one attempt: a retry of the request (a flaky network) reuses it.
fn idempotency_key() -> String {
    format!(
        "spa-{:x}-{:x}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * 1e15) as u64
    )
}

/// The Billing page: the subscriptions within reach and their payments.
#[component]
pub fn Billing() -> impl IntoView {
    view! {
        <div class="page-head"><h1>"Billing"</h1></div>
        <Subscriptions/>
        <Payments subscription=None/>
    }
}

#[component]
fn Subscriptions() -> impl IntoView {
    // `/billing?status=past_due` (the dashboard's link) opens with that filter.
    let page = url_page();
    let status = url_state("status", String::new());
    let list = LocalResource::new(move || {
        let path = format!(
            "subscriptions?page={}&per_page={PER_PAGE}{}",
            page.get(),
            Some(status.get())
                .filter(|s| !s.is_empty())
                .map(|s| format!("&status={s}"))
                .unwrap_or_default()
        );
        async move { api::get::<Page<Subscription>>(&path).await }
    });
    view! {
        <section class="card" aria-labelledby="subscriptions-title">
            <div class="card-head">
                <h2 id="subscriptions-title">"Subscriptions"</h2>
                <FilterSelect label="Status" value=status page=page options=&[("", "All"), ("active", "Active"),
                    ("trialing", "Trial"), ("past_due", "Past due"), ("incomplete", "Awaiting payment"), ("canceled", "Canceled")]/>
            </div>
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <Empty title="No subscriptions" hint="Subscribe an app from its Billing tab."/>
                    }.into_any(),
                    Ok(p) => view! {
                        <div class="table-wrap"><table>
                            <thead><tr><th scope="col">"App"</th><th scope="col">"Plan"</th><th scope="col">"Status"</th>
                                <th scope="col">"Current period"</th><th scope="col" class="num">"Next charge"</th></tr></thead>
                            <tbody>{p.items.into_iter().map(|s| {
                                let app = match s.app_id.clone() {
                                    Some(id) => view! { <a href=format!("/apps/{id}/billing")>{s.app_name.clone()}</a> }.into_any(),
                                    None => view! { <span>{s.app_name.clone()}<span class="muted small">" (deleted)"</span></span> }.into_any(),
                                };
                                let next = match (&s.upcoming, &s.open_invoice) {
                                    (_, Some(open)) => format!("{} due", money::format(open.amount_due, &open.currency)),
                                    (Some(u), None) => format!("{} on {}", money::format(u.total, &u.currency), date(&u.at)),
                                    (None, None) if s.cancel_at_period_end => format!("Ends {}", date(&s.current_period_end)),
                                    (None, None) => "—".to_owned(),
                                };
                                view! { <tr class:row-alert=s.status == SubscriptionStatus::PastDue>
                                    <td>{app}</td>
                                    <td>{s.plan.name.clone()}</td>
                                    <td>{subscription_badge(s.status)}</td>
                                    <td class="nowrap">{format!("{} – {}", date(&s.current_period_start), date(&s.current_period_end))}</td>
                                    <td class="num nowrap">{next}</td>
                                </tr> }
                            }).collect_view()}</tbody>
                        </table></div>
                        <Pager page=page per_page=PER_PAGE total=p.total label="Subscriptions pages"/>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// `2026-11-23` from a date input as the start of that day (UTC); `next`: of the day after.
fn day_query(day: &str, next: bool) -> Option<String> {
    let d = day.parse::<chrono::NaiveDate>().ok()?;
    let d = if next { d.succ_opt()? } else { d };
    Some(format!("{d}T00:00:00Z"))
}

/// Payments with filters, invoice downloads and the CSV; of one subscription, or all in reach.
#[component]
fn Payments(subscription: Option<String>) -> impl IntoView {
    let toasts = use_toasts();
    let status = url_state("payment_status", String::new());
    let (from, to) = (
        url_state("paid_from", String::new()),
        url_state("paid_to", String::new()),
    );
    let page = url_state("payments_page", 1_u32);
    let backwards = range_backwards(from, to);
    let base = StoredValue::new(match &subscription {
        Some(id) => format!("subscriptions/{id}/payments"),
        None => "payments".to_owned(),
    });
    let filters = move || {
        let mut q = String::new();
        if !status.get().is_empty() {
            q.push_str(&format!("&status={}", status.get()));
        }
        if let Some(f) = day_query(&from.get(), false) {
            q.push_str(&format!("&from={}", api::encode(&f)));
        }
        if let Some(t) = day_query(&to.get(), true) {
            q.push_str(&format!("&to={}", api::encode(&t)));
        }
        q
    };
    let list = LocalResource::new(move || {
        let path = format!(
            "{}?page={}&per_page={PER_PAGE}{}",
            base.get_value(),
            page.get(),
            filters()
        );
        let backwards = backwards();
        async move {
            if backwards {
                return Err(api::ApiError::local(RANGE_BACKWARDS));
            }
            api::get::<Page<Payment>>(&path).await
        }
    });
    let csv = move |_| {
        let path = format!("payments/export?{}", filters().trim_start_matches('&'));
        leptos::task::spawn_local(async move {
            match api::get_text(&path).await {
                Ok(text) => api::download("payments.csv", "text/csv", &text),
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
        });
    };
    let all = subscription.is_none();
    view! {
        <section class="card" aria-labelledby="payments-title">
            <div class="card-head"><h2 id="payments-title">"Payments"</h2></div>
            {all.then(|| view! {
                <div class="filters">
                    <FilterSelect label="Status" value=status page=page options=&[("", "All"), ("succeeded", "Paid"), ("pending", "Processing"), ("failed", "Failed")]/>
                    <label class="field"><span>"From"</span><input type="date" prop:value=move || from.get() on:change=move |ev| { page.set(1); from.set(event_target_value(&ev)); }/></label>
                    <label class="field"><span>"To"</span><input type="date" prop:value=move || to.get() on:change=move |ev| { page.set(1); to.set(event_target_value(&ev)); }/></label>
                    <button class="button" type="button" on:click=csv>"Download CSV"</button>
                </div>
            })}
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <Empty title="No payments" hint="Payments appear here once a subscription is charged."/>
                    }.into_any(),
                    Ok(p) => view! {
                        <div class="table-wrap"><table>
                            <thead><tr><th scope="col">"Date"</th><th scope="col">"App"</th><th scope="col">"Invoice"</th>
                                <th scope="col">"Status"</th><th scope="col" class="num">"Amount"</th><th scope="col"><span class="visually-hidden">"Invoice PDF"</span></th></tr></thead>
                            <tbody>{p.items.into_iter().map(|pay| {
                                let (id, number) = (pay.id.clone(), pay.invoice_number.clone());
                                let download = move |_| {
                                    let (path, file) = (format!("payments/{id}/invoice"), format!("invoice-{number}.pdf"));
                                    leptos::task::spawn_local(async move {
                                        if let Err(e) = api::download_file(&path, &file).await {
                                            toasts.show(Tone::Error, e.message());
                                        }
                                    });
                                };
                                view! { <tr>
                                    <td class="nowrap">{date_time(&pay.created_at)}</td>
                                    <td>{pay.app_name.clone()}</td>
                                    <td class="nowrap">{pay.invoice_number.clone()}</td>
                                    <td>{payment_badge(&pay)}</td>
                                    <td class="num nowrap">{money::format(pay.amount, &pay.currency)}</td>
                                    <td><button class="button button-small" type="button" on:click=download
                                        aria-label=format!("PDF of invoice {}", pay.invoice_number)>"PDF"</button></td>
                                </tr> }
                            }).collect_view()}</tbody>
                        </table></div>
                        <Pager page=page per_page=PER_PAGE total=p.total label="Payments pages"/>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// On the dashboard: subscriptions whose last charge failed, each with a way to fix it. Nothing
/// when there are none.
#[component]
pub fn PastDue() -> impl IntoView {
    let list = LocalResource::new(|| async {
        api::get::<Page<Subscription>>("subscriptions?status=past_due&per_page=5").await
    });
    move || {
        list.get().and_then(Result::ok).map(|p| {
            let links = p.items.into_iter().map(|s| {
                let due = s.open_invoice.as_ref().map(|i| format!(" ({})", money::format(i.amount_due, &i.currency))).unwrap_or_default();
                (s.app_id.map(|id| format!("/apps/{id}/billing")), format!("{}{due}", s.app_name))
            }).collect();
            view! { <ListAlert id="past-due-title" count=p.total what=("subscription past due", "subscriptions past due") lead=" — the last charge failed and is being retried: "
                links=links all=("/billing?status=past_due", "See billing")/> }
        })
    }
}

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
                Err(e) if e.code() == "no_subscription" => view! {
                    <Subscribe app_path=path.get_value() on_done=changed/>
                }.into_any(),
                Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
            })}
        </Transition>
    }
}

/// What an open dialog of a subscription is for.
#[derive(Clone, Copy, PartialEq)]
enum Dialog {
    Pay,
    Coupon,
    Plan,
    Cancel,
}

#[component]
fn SubscriptionCard(sub: Subscription, on_change: Callback<()>) -> impl IntoView {
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

fn card_label(pm: &str) -> String {
    TEST_CARDS
        .iter()
        .find(|(id, _)| *id == pm)
        .map_or_else(|| pm.to_owned(), |(_, label)| (*label).to_owned())
}

/// Pays what is due (or saves a payment method) with a test card; one `Idempotency-Key` per
/// attempt.
#[component]
fn PayDialog(sub: Subscription, on_close: Callback<bool>) -> impl IntoView {
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
fn CouponDialog(sub: Subscription, on_close: Callback<bool>) -> impl IntoView {
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

/// The plans a subscription may move to (or start on).
fn active_plans() -> LocalResource<Result<Page<Plan>, api::ApiError>> {
    LocalResource::new(|| async { api::get::<Page<Plan>>("plans?per_page=100").await })
}

#[component]
fn PlanDialog(sub: Subscription, on_close: Callback<bool>) -> impl IntoView {
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
fn PlanChoices(plans: Vec<Plan>, chosen: RwSignal<String>) -> impl IntoView {
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
fn CancelDialog(sub: Subscription, on_close: Callback<bool>) -> impl IntoView {
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

/// Subscribing an app: a plan, an optional coupon checked as it is typed, the first charge priced
/// by the API; then paying, when something is due at once.
#[component]
fn Subscribe(app_path: String, on_done: Callback<()>) -> impl IntoView {
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
        let path = format!(
            "{}/preview?plan_id={plan}{}",
            base.get_value(),
            Some(code)
                .filter(|c| !c.is_empty())
                .map(|c| format!("&coupon_code={}", api::encode(&c)))
                .unwrap_or_default()
        );
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

/// Administrators' plans: add, edit, archive.
#[component]
pub fn Plans() -> impl IntoView {
    let version = RwSignal::new(0_u32);
    let editing = RwSignal::new(None::<Option<Plan>>);
    let list = LocalResource::new(move || {
        version.track();
        async move { api::get::<Page<Plan>>("plans?per_page=100").await }
    });
    view! {
        <div class="page-head"><h1>"Plans"</h1>
            <button class="button button-primary" on:click=move |_| editing.set(Some(None))>"Add plan"</button></div>
        <section class="card">
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! { <Empty title="No plans" hint="Add the plans customers subscribe their apps to."/> }.into_any(),
                    Ok(p) => view! {
                        <div class="table-wrap"><table>
                            <thead><tr><th scope="col">"Plan"</th><th scope="col">"Edition"</th><th scope="col" class="num">"Price"</th>
                                <th scope="col" class="num">"Trial"</th><th scope="col">"State"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>{p.items.into_iter().map(|plan| {
                                let for_edit = plan.clone();
                                view! { <tr>
                                    <td>{plan.name.clone()}</td>
                                    <td>{crate::components::edition_label(plan.edition)}</td>
                                    <td class="num nowrap">{price(&plan)}</td>
                                    <td class="num">{if plan.trial_days > 0 { format!("{} days", plan.trial_days) } else { "—".into() }}</td>
                                    <td>{if plan.active { view! { <span class="badge badge-success">"Active"</span> } } else { view! { <span class="badge">"Archived"</span> } }}</td>
                                    <td><button class="button button-small" on:click=move |_| editing.set(Some(Some(for_edit.clone())))
                                        aria-label=format!("Edit {}", plan.name)>"Edit"</button></td>
                                </tr> }
                            }).collect_view()}</tbody>
                        </table></div>
                    }.into_any(),
                })}
            </Transition>
        </section>
        {move || editing.get().map(|plan| view! {
            <PlanForm plan=plan on_close=Callback::new(move |saved: bool| { editing.set(None); if saved { bump(version); } })/>
        })}
    }
}

#[component]
fn PlanForm(plan: Option<Plan>, on_close: Callback<bool>) -> impl IntoView {
    let toasts = use_toasts();
    let form = FormState::new();
    let p = plan.clone();
    let name = RwSignal::new(p.as_ref().map(|p| p.name.clone()).unwrap_or_default());
    let edition = RwSignal::new(
        p.as_ref()
            .map_or("standard", |p| p.edition.as_str())
            .to_owned(),
    );
    let interval = RwSignal::new(
        p.as_ref()
            .map_or("month", |p| p.interval.as_str())
            .to_owned(),
    );
    let currency = RwSignal::new(p.as_ref().map_or("EUR".to_owned(), |p| p.currency.clone()));
    let amount = RwSignal::new(
        p.as_ref()
            .map(|p| money::plain(p.price, &p.currency))
            .unwrap_or_default(),
    );
    let trial = RwSignal::new(
        p.as_ref()
            .map_or("0".to_owned(), |p| p.trial_days.to_string()),
    );
    let active = RwSignal::new(p.as_ref().is_none_or(|p| p.active));
    let publish_in_trial = RwSignal::new(p.as_ref().is_some_and(|p| p.publish_in_trial));
    let id = StoredValue::new(plan.as_ref().map(|p| p.id.clone()));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let Some(price) = money::parse(&amount.get_untracked(), &currency.get_untracked()) else {
            form.errors.set(vec![types::FieldError {
                field: "price".into(),
                message: "Enter a price, such as 49.00.".into(),
            }]);
            return;
        };
        let create = CreatePlan {
            name: name.get_untracked().trim().to_owned(),
            edition: edition
                .get_untracked()
                .parse()
                .unwrap_or(types::apps::AppEdition::Standard),
            interval: interval
                .get_untracked()
                .parse()
                .unwrap_or(types::billing::BillingInterval::Month),
            price,
            currency: currency.get_untracked().trim().to_uppercase(),
            trial_days: trial.get_untracked().trim().parse().unwrap_or(-1),
            active: Some(active.get_untracked()),
            publish_in_trial: Some(publish_in_trial.get_untracked()),
        };
        if !form.check(&create) {
            return;
        }
        leptos::task::spawn_local(async move {
            let saved = match id.get_value() {
                None => api::post::<Plan>("plans", &create).await,
                Some(id) => {
                    let update = UpdatePlan {
                        name: Some(create.name.clone()),
                        edition: Some(create.edition),
                        interval: Some(create.interval),
                        price: Some(create.price),
                        currency: Some(create.currency.clone()),
                        trial_days: Some(create.trial_days),
                        active: create.active,
                        publish_in_trial: create.publish_in_trial,
                    };
                    api::call::<Plan>("PATCH", &format!("plans/{id}"), Some(&update), &[])
                        .await
                        .map(|r| r.body)
                }
            };
            match saved {
                Ok(p) => {
                    toasts.show(Tone::Success, format!("Plan “{}” saved.", p.name));
                    on_close.run(true);
                }
                Err(e) => form.show(&e),
            }
        });
    };
    let title = if plan.is_some() {
        "Edit plan"
    } else {
        "Add plan"
    };
    view! {
        <Modal title=title.to_owned() on_close=Callback::new(move |()| on_close.run(false))>
            <form class="modal-body form" on:submit=save novalidate>
                <FormAlerts form=form/>
                <div class="form-grid">
                    <TextField form=form label="Name" name="name" value=name required=true wide=true maxlength=100/>
                    <label class="field"><span>"Edition"</span>
                        <select prop:value=move || edition.get() on:change=move |ev| edition.set(event_target_value(&ev))>
                            <option value="basic">"Basic"</option><option value="standard">"Standard"</option></select>{form.error_line("edition")}</label>
                    <label class="field"><span>"Billed every"</span>
                        <select prop:value=move || interval.get() on:change=move |ev| interval.set(event_target_value(&ev))>
                            <option value="month">"Month"</option><option value="year">"Year"</option></select>{form.error_line("interval")}</label>
                    <TextField form=form label="Price (before VAT)" name="price" value=amount required=true placeholder="49.00"/>
                    <TextField form=form label="Currency" name="currency" value=currency required=true maxlength=3/>
                    <TextField form=form label="Free trial (days)" name="trial_days" value=trial kind="number"/>
                    <label class="choice"><input type="checkbox" prop:checked=move || active.get()
                        on:change=move |ev| active.set(event_target_checked(&ev))/>"Takes new subscriptions"</label>
                    <label class="choice"><input type="checkbox" prop:checked=move || publish_in_trial.get()
                        on:change=move |ev| publish_in_trial.set(event_target_checked(&ev))/>"Apps may publish during the trial"</label>
                </div>
                <p class="muted small">"Edition, interval, price and currency are fixed once an app subscribes: archive the plan and add a new one."</p>
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_close.run(false)>"Cancel"</button>
                    <button type="submit" class="button button-primary">"Save"</button>
                </div>
            </form>
        </Modal>
    }
}

/// Coupons: an administrator's for every customer, a partner's for its own customers.
#[component]
pub fn Coupons() -> impl IntoView {
    let toasts = use_toasts();
    let version = RwSignal::new(0_u32);
    let page = url_page();
    let adding = RwSignal::new(false);
    let deleting = RwSignal::new(None::<Coupon>);
    let list = LocalResource::new(move || {
        version.track();
        let path = format!("coupons?page={}&per_page={PER_PAGE}", page.get());
        async move { api::get::<Page<Coupon>>(&path).await }
    });
    let delete = move |c: Coupon| {
        leptos::task::spawn_local(async move {
            match api::delete(&format!("coupons/{}", c.id)).await {
                Ok(()) => {
                    toasts.show(Tone::Success, format!("Coupon {} deleted.", c.code));
                    bump(version);
                }
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
            deleting.set(None);
        });
    };
    view! {
        <div class="page-head"><h1>"Coupons"</h1>
            <button class="button button-primary" on:click=move |_| adding.set(true)>"Add coupon"</button></div>
        <section class="card">
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! { <Empty title="No coupons" hint="Add a code customers can redeem on their subscriptions."/> }.into_any(),
                    Ok(p) => view! {
                        <div class="table-wrap"><table>
                            <thead><tr><th scope="col">"Code"</th><th scope="col">"Discount"</th><th scope="col" class="num">"Redeemed"</th>
                                <th scope="col">"Redeem by"</th><th scope="col">"State"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>{p.items.into_iter().map(|c| {
                                let for_delete = c.clone();
                                view! { <tr>
                                    <td><code>{c.code.clone()}</code>{(!c.plan_ids.is_empty()).then(|| view! { <span class="muted small">" (some plans)"</span> })}</td>
                                    <td>{discount_text(c.percent_off, c.amount_off, c.currency.as_deref(), c.duration, c.duration_in_months)}</td>
                                    <td class="num">{match c.max_redemptions { Some(m) => format!("{} of {m}", c.times_redeemed), None => c.times_redeemed.to_string() }}</td>
                                    <td class="nowrap">{c.redeem_by.map(|t| date(&t)).unwrap_or_else(|| "—".into())}</td>
                                    <td>{if c.valid { view! { <span class="badge badge-success">"Valid"</span> } } else { view! { <span class="badge">"Used up or expired"</span> } }}</td>
                                    <td><button class="button button-small button-danger-quiet" on:click=move |_| deleting.set(Some(for_delete.clone()))
                                        aria-label=format!("Delete coupon {}", c.code)>"Delete"</button></td>
                                </tr> }
                            }).collect_view()}</tbody>
                        </table></div>
                        <Pager page=page per_page=PER_PAGE total=p.total/>
                    }.into_any(),
                })}
            </Transition>
        </section>
        {move || adding.get().then(|| view! {
            <CouponForm on_close=Callback::new(move |saved: bool| { adding.set(false); if saved { bump(version); } })/>
        })}
        {move || deleting.get().map(|c| {
            let for_confirm = c.clone();
            view! { <Confirm title="Delete coupon?".to_owned()
                message=format!("{} can no longer be redeemed. Subscriptions that have it keep their discount.", c.code)
                confirm_label="Delete".to_owned()
                on_confirm=Callback::new(move |()| delete(for_confirm.clone()))
                on_cancel=Callback::new(move |()| deleting.set(None))/> }
        })}
    }
}

#[component]
fn CouponForm(on_close: Callback<bool>) -> impl IntoView {
    let toasts = use_toasts();
    let form = FormState::new();
    let code = RwSignal::new(String::new());
    let kind = RwSignal::new("percent".to_owned());
    let (percent, amount) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let currency = RwSignal::new("EUR".to_owned());
    let duration = RwSignal::new("once".to_owned());
    let months = RwSignal::new("3".to_owned());
    let redeem_by = RwSignal::new(String::new());
    let max = RwSignal::new(String::new());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        form.reset();
        let by_percent = kind.get_untracked() == "percent";
        let duration = duration
            .get_untracked()
            .parse()
            .unwrap_or(CouponDuration::Once);
        let body = CreateCoupon {
            code: code.get_untracked().trim().to_owned(),
            percent_off: by_percent.then(|| percent.get_untracked().trim().parse().unwrap_or(0)),
            amount_off: (!by_percent).then(|| {
                money::parse(&amount.get_untracked(), &currency.get_untracked()).unwrap_or(0)
            }),
            currency: (!by_percent).then(|| currency.get_untracked().trim().to_uppercase()),
            duration,
            duration_in_months: (duration == CouponDuration::Repeating)
                .then(|| months.get_untracked().trim().parse().unwrap_or(0)),
            redeem_by: day_query(&redeem_by.get_untracked(), true).and_then(|t| t.parse().ok()),
            max_redemptions: max.get_untracked().trim().parse().ok(),
            plan_ids: Vec::new(),
        };
        if !form.check(&body) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::post::<Coupon>("coupons", &body).await {
                Ok(c) => {
                    toasts.show(Tone::Success, format!("Coupon {} added.", c.code));
                    on_close.run(true);
                }
                Err(e) => form.show(&e),
            }
        });
    };
    view! {
        <Modal title="Add coupon".to_owned() on_close=Callback::new(move |()| on_close.run(false))>
            <form class="modal-body form" on:submit=save novalidate>
                <FormAlerts form=form/>
                <div class="form-grid">
                    <TextField form=form label="Code" name="code" value=code required=true placeholder="WELCOME20" maxlength=40/>
                    <label class="field"><span>"Takes off"</span>
                        <select prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                            <option value="percent">"A percentage"</option><option value="amount">"An amount"</option></select></label>
                    {move || if kind.get() == "percent" {
                        view! { <TextField form=form label="Percent off" name="percent_off" value=percent kind="number" required=true/> }.into_any()
                    } else {
                        view! { <TextField form=form label="Amount off" name="amount_off" value=amount required=true placeholder="10.00"/>
                            <TextField form=form label="Currency" name="currency" value=currency required=true maxlength=3/> }.into_any()
                    }}
                    <label class="field"><span>"Lasts"</span>
                        <select prop:value=move || duration.get() on:change=move |ev| duration.set(event_target_value(&ev))>
                            <option value="once">"One invoice"</option><option value="repeating">"Some months"</option><option value="forever">"Forever"</option></select></label>
                    {move || (duration.get() == "repeating").then(|| view! {
                        <TextField form=form label="Months" name="duration_in_months" value=months kind="number" required=true/> })}
                    <label class="field"><span>"Redeem by (optional)"</span><input type="date" bind:value=redeem_by/>{form.error_line("redeem_by")}</label>
                    <TextField form=form label="Most redemptions (optional)" name="max_redemptions" value=max kind="number"/>
                </div>
                <div class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_close.run(false)>"Cancel"</button>
                    <button type="submit" class="button button-primary">"Add coupon"</button>
                </div>
            </form>
        </Modal>
    }
}
