//! The Billing page: subscriptions and payments within reach; the past-due notice.

use leptos::prelude::*;
use types::billing::{
    Payment, PaymentFilter, Subscription, SubscriptionFilter, SubscriptionStatus,
};
use types::{query, Page, PageQuery};

use super::parts::*;
use crate::api;
use crate::components::{
    date, date_time, day_query, range_backwards, url_page, url_state, use_toasts, Empty, ErrorBox,
    FilterSelect, ListAlert, Loading, Pager, Tone, RANGE_BACKWARDS,
};
use crate::money;

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
pub(super) fn Subscriptions() -> impl IntoView {
    // `/billing?status=past_due` (the dashboard's link) opens with that filter.
    let page = url_page();
    let status = url_state("status", String::new());
    let list = LocalResource::new(move || {
        let filter = SubscriptionFilter {
            status: query::parsed(&status.get()),
            ..SubscriptionFilter::default()
        };
        let page = PageQuery::numbered(page.get(), PER_PAGE);
        let path = query::list_path("subscriptions", &filter, &page);
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

/// Payments with filters, invoice downloads and the CSV; of one subscription, or all in reach.
#[component]
pub(super) fn Payments(subscription: Option<String>) -> impl IntoView {
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
    let filter = move || PaymentFilter {
        status: query::parsed(&status.get()),
        from: day_query(&from.get(), false),
        to: day_query(&to.get(), true),
        ..PaymentFilter::default()
    };
    let list = LocalResource::new(move || {
        let page = PageQuery::numbered(page.get(), PER_PAGE);
        let path = query::list_path(&base.get_value(), &filter(), &page);
        let backwards = backwards();
        async move {
            if backwards {
                return Err(api::ApiError::local(RANGE_BACKWARDS));
            }
            api::get::<Page<Payment>>(&path).await
        }
    });
    let csv = move |_| {
        let path = query::path_with("payments/export", &filter());
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
