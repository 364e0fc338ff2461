//! "Manage Orders" of a Standard app: filters, the list, CSV download, and an order's detail with
//! its lines, buyer, device and trace, where the owner moves it along (with a confirmation).

use leptos::prelude::*;
use types::orders::{Order, OrderFilter, OrderStatus, UpdateOrder};
use types::{query, Page, PageQuery};

use crate::api;
use crate::components::{
    date_time, day_query, range_backwards, url_page, url_state, use_toasts, Empty, ErrorBox,
    FilterSelect, Loading, Modal, Pager, SearchField, TextFilter, Tone,
};
use crate::money;

const PER_PAGE: u32 = 20;

pub fn status_badge(status: OrderStatus) -> impl IntoView {
    let tone = match status {
        OrderStatus::Pending => "badge-warning",
        OrderStatus::Processing | OrderStatus::Shipped => "badge-kind",
        OrderStatus::Completed => "badge-success",
        OrderStatus::Canceled | OrderStatus::Refunded => "badge-danger",
    };
    view! { <span class=format!("badge {tone}")>{status.label()}</span> }
}

#[component]
pub fn OrdersTab(app_id: String) -> impl IntoView {
    let base = StoredValue::new(format!("apps/{app_id}/orders"));
    let page = url_page();
    let q = TextFilter::new("q", page);
    let status = url_state("status", String::new());
    let (from, to) = (
        url_state("from", String::new()),
        url_state("to", String::new()),
    );
    let (min, max) = (
        url_state("total_min", String::new()),
        url_state("total_max", String::new()),
    );
    let backwards = range_backwards(from, to);
    let version = RwSignal::new(0_u32);
    let open = RwSignal::new(None::<String>);
    let currency = RwSignal::new("EUR".to_owned());
    let toasts = use_toasts();
    // The totals are in the list's currency: read only when a total is typed.
    let amount = move |typed: String| money::parse(&query::text(&typed)?, &currency.get());
    let filter = move || OrderFilter {
        q: query::text(&q.applied.get()),
        status: query::parsed(&status.get()),
        placed_from: day_query(&from.get(), false),
        placed_to: day_query(&to.get(), true),
        total_min: amount(min.get()),
        total_max: amount(max.get()),
    };
    let list = LocalResource::new(move || {
        version.track();
        let page = PageQuery::numbered(page.get(), PER_PAGE);
        let path = query::list_path(&base.get_value(), &filter(), &page);
        let backwards = backwards();
        async move {
            if backwards {
                return Err(api::ApiError::local(
                    "“Placed from” is after “Placed to”: choose a start date before the end date.",
                ));
            }
            api::get::<Page<Order>>(&path).await
        }
    });
    let apply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        q.apply();
        version.update(|v| *v += 1);
    };
    // A filter typed or picked: page 1 of the new list.
    let set = move |filter: RwSignal<String>| {
        move |ev: leptos::ev::Event| {
            page.set(1);
            filter.set(event_target_value(&ev));
        }
    };
    let download = move |_| {
        let path = query::path_with(&format!("{}/export", base.get_value()), &filter());
        let file = format!("{}.csv", base.get_value().replace('/', "-"));
        leptos::task::spawn_local(async move {
            match api::get_text(&path).await {
                Ok(csv) => api::download(&file, "text/csv", &csv),
                Err(e) => toasts.show(Tone::Error, e.message()),
            }
        });
    };
    view! {
        <form class="filters card" role="search" on:submit=apply>
            <SearchField label="Order" filter=q placeholder="Number, buyer name or email"/>
            <FilterSelect label="Status" value=status page=page options=&[("", "All"), ("pending", "Pending"),
                ("processing", "Processing"), ("shipped", "Shipped"), ("completed", "Completed"),
                ("canceled", "Canceled"), ("refunded", "Refunded")]/>
            <label class="field"><span>"Placed from"</span><input type="date" prop:value=move || from.get() on:change=set(from)/></label>
            <label class="field"><span>"Placed to"</span><input type="date" prop:value=move || to.get() on:change=set(to)/></label>
            <label class="field short"><span>{move || format!("Total from ({})", currency.get())}</span>
                <input inputmode="decimal" prop:value=move || min.get() on:change=set(min)/></label>
            <label class="field short"><span>{move || format!("Total to ({})", currency.get())}</span>
                <input inputmode="decimal" prop:value=move || max.get() on:change=set(max)/></label>
            <button class="button" type="submit">"Apply"</button>
            <button class="button" type="button" on:click=download>"Download CSV"</button>
        </form>
        <div class="card">
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <Empty title="No orders" hint="Orders appear here as soon as the app reports them (POST /sdk/orders)."/>
                    }.into_any(),
                    Ok(p) => {
                        // The total filters' currency: set only when it changes, as the list
                        // reads it (setting it anew on every answer fetched the list forever).
                        if let Some(first) = p.items.first() {
                            if currency.with_untracked(|c| *c != first.currency) {
                                currency.set(first.currency.clone());
                            }
                        }
                        view! {
                            <div class="table-wrap"><table>
                                <thead><tr>
                                    <th scope="col">"Order"</th><th scope="col">"Placed"</th><th scope="col">"Buyer"</th>
                                    <th scope="col">"Status"</th><th scope="col" class="num">"Items"</th><th scope="col" class="num">"Total"</th>
                                </tr></thead>
                                <tbody>
                                    {p.items.into_iter().map(|o| {
                                        let id = o.id.clone();
                                        let buyer = o.buyer.name.clone().or(o.buyer.email.clone()).unwrap_or_default();
                                        view! { <tr>
                                            <td><button class="link-button" on:click=move |_| open.set(Some(id.clone()))>{format!("#{}", o.order_number)}</button></td>
                                            <td class="nowrap">{date_time(&o.placed_at)}</td>
                                            <td>{buyer}{o.buyer.guest.then(|| view! { <span class="muted small">" (guest)"</span> })}</td>
                                            <td>{status_badge(o.status)}</td>
                                            <td class="num">{o.line_count}</td>
                                            <td class="num nowrap">{money::format(o.total, &o.currency)}</td>
                                        </tr> }
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                            <Pager page=page per_page=PER_PAGE total=p.total/>
                        }.into_any()
                    }
                })}
            </Transition>
        </div>
        {move || open.get().map(|id| view! {
            <OrderView path=format!("{}/{id}", base.get_value())
                on_close=Callback::new(move |changed: bool| {
                    open.set(None);
                    if changed { version.update(|v| *v += 1); }
                })/>
        })}
    }
}

/// A move the owner can make from the order's status, as a button label.
fn action_label(to: OrderStatus) -> &'static str {
    match to {
        OrderStatus::Processing => "Start processing",
        OrderStatus::Shipped => "Mark shipped",
        OrderStatus::Completed => "Mark completed",
        OrderStatus::Canceled => "Cancel order",
        OrderStatus::Refunded => "Refund",
        OrderStatus::Pending => "Pending",
    }
}

/// An order: lines, totals, buyer, device, the trace as a timeline, and its next moves.
#[component]
fn OrderView(path: String, on_close: Callback<bool>) -> impl IntoView {
    let toasts = use_toasts();
    let version = RwSignal::new(0_u32);
    let changed = RwSignal::new(false);
    let moving = RwSignal::new(None::<OrderStatus>);
    let (note, refund) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let path = StoredValue::new(path);
    let order = LocalResource::new(move || {
        version.track();
        let path = path.get_value();
        async move {
            api::call::<Order>("GET", &path, None::<&()>, &[])
                .await
                .map(|reply| (reply.body, reply.etag))
        }
    });
    let confirm = move |detail: Order, etag: Option<String>| {
        let Some(to) = moving.get_untracked() else {
            return;
        };
        let refunded_amount =
            if to == OrderStatus::Refunded && !refund.get_untracked().trim().is_empty() {
                match money::parse(&refund.get_untracked(), &detail.currency) {
                    Some(v) => Some(v),
                    None => {
                        error.set(Some("Enter the amount to refund, such as 12.50.".into()));
                        return;
                    }
                }
            } else {
                None
            };
        let body = UpdateOrder {
            status: to,
            note: Some(note.get_untracked()).filter(|n| !n.trim().is_empty()),
            refunded_amount,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let headers: Vec<(&str, &str)> = etag
                .as_deref()
                .map(|e| ("If-Match", e))
                .into_iter()
                .collect();
            match api::call::<Order>("PATCH", &path.get_value(), Some(&body), &headers).await {
                Ok(_) => {
                    toasts.show(
                        Tone::Success,
                        format!("Order #{}: {}.", detail.order_number, to.label()),
                    );
                    changed.set(true);
                    moving.set(None);
                    note.set(String::new());
                    refund.set(String::new());
                    error.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <Modal title="Order".to_owned() wide=true on_close=Callback::new(move |_| on_close.run(changed.get_untracked()))>
            <div class="modal-body">
            <Suspense fallback=|| view! { <Loading/> }>
                {move || order.get().map(|result| match result {
                    Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                    Ok((d, etag)) => {
                        let o = d.clone();
                        let c = o.currency.clone();
                        let amount = move |v: i64| money::format(v, &c);
                        let left = o.total - o.refunded_amount;
                        let next: Vec<OrderStatus> = o.status.next().iter().copied()
                            .filter(|s| *s != OrderStatus::Refunded || left > 0).collect();
                        let for_confirm = d.clone();
                        view! {
                            <div class="order-head">
                                <h3>{format!("#{}", o.order_number)}" "{status_badge(o.status)}</h3>
                                <p class="muted small">{format!("Placed {}", date_time(&o.placed_at))}</p>
                            </div>
                            <div class="grid-2">
                                <section><h4>"Buyer"</h4>
                                    <p>{o.buyer.name.clone().unwrap_or_default()}<br/>{o.buyer.email.clone().unwrap_or_default()}</p>
                                    <p class="muted small">{if o.buyer.guest { "Guest checkout".to_owned() } else { format!("Mobile user {}", o.buyer.mobile_user_id.clone().unwrap_or_default()) }}</p>
                                </section>
                                <section><h4>"Device"</h4>
                                    {match d.device.clone() {
                                        Some(dev) => view! { <p>{dev.model}<br/><span class="muted small">{format!("{} {} · app {}", dev.platform, dev.os_version, dev.app_version)}</span></p> }.into_any(),
                                        None => view! { <p class="muted">"Not known"</p> }.into_any(),
                                    }}
                                </section>
                            </div>
                            <div class="table-wrap"><table>
                                <caption class="visually-hidden">"Order lines"</caption>
                                <thead><tr><th scope="col">"Product"</th><th scope="col">"SKU"</th><th scope="col" class="num">"Qty"</th>
                                    <th scope="col" class="num">"Unit price"</th><th scope="col" class="num">"Line total"</th></tr></thead>
                                <tbody>{d.lines.iter().flatten().map(|l| view! { <tr>
                                    <td>{l.name.clone()}</td><td class="muted">{l.sku.clone()}</td><td class="num">{l.quantity}</td>
                                    <td class="num">{amount(l.unit_price)}</td><td class="num">{amount(l.line_total)}</td>
                                </tr> }).collect_view()}</tbody>
                            </table></div>
                            <dl class="totals">
                                <dt>"Subtotal"</dt><dd>{amount(o.subtotal)}</dd>
                                <dt>"Shipping"</dt><dd>{amount(o.shipping)}</dd>
                                <dt>"Tax"</dt><dd>{amount(o.tax)}</dd>
                                <dt>"Discount"</dt><dd>{amount(-o.discount)}</dd>
                                <dt class="total">"Total"</dt><dd class="total">{amount(o.total)}</dd>
                                {(o.refunded_amount > 0).then(|| view! { <dt>"Refunded"</dt><dd>{amount(-o.refunded_amount)}</dd> })}
                            </dl>
                            <h4>"Trace"</h4>
                            <ol class="timeline">
                                {d.history.iter().flatten().map(|h| {
                                    let who = h.actor.email.clone().unwrap_or_else(|| "The mobile app".into());
                                    view! { <li>
                                        <span class="timeline-status">{status_badge(h.status)}</span>
                                        <span class="muted small">{format!("{} · {who}", date_time(&h.at))}</span>
                                        {h.refunded_amount.map(|r| view! { <span class="small">{format!(" · {} refunded", amount(r))}</span> })}
                                        {h.note.clone().map(|n| view! { <p class="small">{n}</p> })}
                                    </li> }
                                }).collect_view()}
                            </ol>
                            {(!next.is_empty()).then(|| view! {
                                <div class="order-actions">
                                    {next.into_iter().map(|to| view! {
                                        <button class=if to == OrderStatus::Canceled || to == OrderStatus::Refunded { "button button-danger-quiet" } else { "button" }
                                            aria-pressed=move || (moving.get() == Some(to)).to_string()
                                            on:click=move |_| { error.set(None); moving.set(Some(to)); }>{action_label(to)}</button>
                                    }).collect_view()}
                                </div>
                            })}
                            {move || moving.get().map(|to| {
                                let detail = for_confirm.clone();
                                let etag = etag.clone();
                                let currency = detail.currency.clone();
                                view! {
                                    <form class="form confirm-move" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); confirm(detail.clone(), etag.clone()); }>
                                        <p><strong>{format!("{}?", action_label(to))}</strong></p>
                                        {(to == OrderStatus::Refunded).then(|| view! {
                                            <label class="field"><span>{format!("Amount to refund ({currency}); empty: all that is left, {}", money::format(left, &currency))}</span>
                                                <input inputmode="decimal" bind:value=refund/></label>
                                        })}
                                        <label class="field"><span>"Note for the trace (optional)"</span><input bind:value=note/></label>
                                        {move || error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e}</div> })}
                                        <div class="modal-actions">
                                            <button type="button" class="button" on:click=move |_| moving.set(None)>"Back"</button>
                                            <button type="submit" class="button button-primary" disabled=move || busy.get()>"Confirm"</button>
                                        </div>
                                    </form>
                                }
                            })}
                        }.into_any()
                    }
                })}
            </Suspense>
            </div>
        </Modal>
    }
}
