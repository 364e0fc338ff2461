//! Coupons: the list and the coupon form.

use leptos::prelude::*;
use types::billing::{Coupon, CouponDuration, CreateCoupon};
use types::{query, Page, PageQuery};

use super::parts::*;
use crate::api;
use crate::components::{
    date, day_query, url_page, use_toasts, Confirm, Empty, ErrorBox, FormAlerts, FormState,
    Loading, Modal, Pager, TextField, Tone,
};
use crate::money;

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
        let path = query::path_with("coupons", &PageQuery::numbered(page.get(), PER_PAGE));
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
pub(super) fn CouponForm(on_close: Callback<bool>) -> impl IntoView {
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
            redeem_by: day_query(&redeem_by.get_untracked(), true),
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
