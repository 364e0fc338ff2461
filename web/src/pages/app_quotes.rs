//! "Manage Quote requests" of a Standard app: an inbox with counts per status, a request's detail
//! with the offers made so far, and the respond form (a price per line, the total computed as you
//! type, until when the offer holds).

use leptos::prelude::*;
use types::quotes::{
    CreateQuoteResponse, QuoteCounts, QuoteFilter, QuoteRequest, QuoteStatus, QuotedPrice,
};
use types::{query, Page, PageQuery};

use crate::api;
use crate::components::{
    date, date_time, url_page, url_state, use_toasts, Empty, ErrorBox, Loading, Modal, Pager,
    SearchField, TextFilter, Tone,
};
use crate::money;

const PER_PAGE: u32 = 20;

fn status_badge(status: QuoteStatus) -> impl IntoView {
    let tone = match status {
        QuoteStatus::New => "badge-warning",
        QuoteStatus::Quoted => "badge-kind",
        QuoteStatus::Accepted => "badge-success",
        QuoteStatus::Declined | QuoteStatus::Expired => "badge-danger",
    };
    view! { <span class=format!("badge {tone}")>{status.label()}</span> }
}

#[component]
pub fn QuotesTab(app_id: String) -> impl IntoView {
    let base = StoredValue::new(format!("apps/{app_id}/quote-requests"));
    let page = url_page();
    let status = url_state("status", String::new());
    let q = TextFilter::new("q", page);
    let version = RwSignal::new(0_u32);
    let open = RwSignal::new(None::<String>);
    let counts = LocalResource::new(move || {
        version.track();
        let path = format!("{}/counts", base.get_value());
        async move { api::get::<QuoteCounts>(&path).await }
    });
    let list = LocalResource::new(move || {
        version.track();
        let filter = QuoteFilter {
            status: query::parsed(&status.get()),
            q: query::text(&q.applied.get()),
            ..QuoteFilter::default()
        };
        let page = PageQuery::numbered(page.get(), PER_PAGE);
        let path = query::list_path(&base.get_value(), &filter, &page);
        async move { api::get::<Page<QuoteRequest>>(&path).await }
    });
    let tab = move |value: &'static str, label: &'static str, count: fn(&QuoteCounts) -> i64| {
        view! {
            <button class="chip" aria-pressed=move || (status.get() == value).to_string()
                on:click=move |_| { page.set(1); status.set(value.to_owned()); }>
                {label}
                {move || counts.get().and_then(|c| c.ok()).map(|c| view! { <span class="chip-count">{count(&c)}</span> })}
            </button>
        }
    };
    view! {
        <div class="card filters">
            <div class="chips" role="group" aria-label="Status">
                {tab("", "All", |c| c.new + c.quoted + c.accepted + c.declined + c.expired)}
                {tab("new", "New", |c| c.new)}
                {tab("quoted", "Quoted", |c| c.quoted)}
                {tab("accepted", "Accepted", |c| c.accepted)}
                {tab("declined", "Declined", |c| c.declined)}
                {tab("expired", "Expired", |c| c.expired)}
            </div>
            <form class="inline-search" role="search" on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default(); q.apply();
            }>
                <SearchField label="Search" filter=q placeholder="Contact, email, message or SKU"/>
                <button class="button" type="submit">"Search"</button>
            </form>
        </div>
        <div class="card">
            <Transition fallback=|| view! { <Loading/> }>
                {move || list.get().map(|result| match result {
                    Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                    Ok(p) if p.items.is_empty() => view! {
                        <Empty title="No quote requests" hint="Requests appear here when the app's users ask for a price (POST /sdk/quote-requests)."/>
                    }.into_any(),
                    Ok(p) => view! {
                        <div class="table-wrap"><table>
                            <thead><tr><th scope="col">"Request"</th><th scope="col">"Contact"</th><th scope="col">"Products"</th>
                                <th scope="col">"Status"</th><th scope="col" class="num">"Offer"</th></tr></thead>
                            <tbody>
                                {p.items.into_iter().map(|r| {
                                    let id = r.id.clone();
                                    let products = r.lines.iter().map(|l| format!("{} × {}", l.quantity, l.name)).collect::<Vec<_>>().join(", ");
                                    view! { <tr>
                                        <td><button class="link-button" on:click=move |_| open.set(Some(id.clone()))>{format!("#{} · {}", r.id, date(&r.created_at))}</button></td>
                                        <td>{r.contact_name.clone()}<br/><span class="muted small">{r.contact_email.clone()}</span></td>
                                        <td>{products}</td>
                                        <td>{status_badge(r.status)}</td>
                                        <td class="num nowrap">{r.offer.as_ref().map(|o| money::format(o.total, &o.currency)).unwrap_or_else(|| "—".into())}</td>
                                    </tr> }
                                }).collect_view()}
                            </tbody>
                        </table></div>
                        <Pager page=page per_page=PER_PAGE total=p.total/>
                    }.into_any(),
                })}
            </Transition>
        </div>
        {move || open.get().map(|id| view! {
            <QuoteView path=format!("{}/{id}", base.get_value())
                on_close=Callback::new(move |changed: bool| {
                    open.set(None);
                    if changed { version.update(|v| *v += 1); }
                })/>
        })}
    }
}

#[component]
fn QuoteView(path: String, on_close: Callback<bool>) -> impl IntoView {
    let path = StoredValue::new(path);
    let version = RwSignal::new(0_u32);
    let changed = RwSignal::new(false);
    let quote = LocalResource::new(move || {
        version.track();
        let path = path.get_value();
        async move { api::get::<QuoteRequest>(&path).await }
    });
    let done = Callback::new(move |_: ()| {
        changed.set(true);
        version.update(|v| *v += 1);
    });
    view! {
        <Modal title="Quote request".to_owned() wide=true on_close=Callback::new(move |_| on_close.run(changed.get_untracked()))>
            <div class="modal-body">
            <Suspense fallback=|| view! { <Loading/> }>
                {move || quote.get().map(|result| match result {
                    Err(e) => view! { <ErrorBox message=e.message()/> }.into_any(),
                    Ok(d) => {
                        let r = d.clone();
                        let open_to_answer = matches!(r.status, QuoteStatus::New | QuoteStatus::Quoted);
                        view! {
                            <div class="order-head">
                                <h3>{format!("Request #{} ", r.id)}{status_badge(r.status)}</h3>
                                <p class="muted small">{format!("Received {}", date_time(&r.created_at))}
                                    {r.order_id.clone().map(|o| format!(" · ordered as order {o}"))}</p>
                            </div>
                            <p>{r.contact_name.clone()}" · "{r.contact_email.clone()}{r.contact_phone.clone().map(|p| format!(" · {p}"))}</p>
                            {r.message.clone().map(|m| view! { <blockquote class="quote-message">{m}</blockquote> })}
                            <h4>"Offers"</h4>
                            {if d.responses.as_ref().is_none_or(Vec::is_empty) {
                                view! { <p class="muted">"No offer yet."</p> }.into_any()
                            } else {
                                view! { <ol class="timeline">{d.responses.iter().flatten().rev().map(|o| view! { <li>
                                    <strong>{money::format(o.total, &o.currency)}</strong>
                                    <span class="muted small">{format!(" · {} · valid until {}", date_time(&o.created_at), date(&o.valid_until))}
                                        {o.responded_by.clone().map(|b| format!(" · {b}"))}</span>
                                    {o.message.clone().map(|m| view! { <p class="small">{m}</p> })}
                                </li> }).collect_view()}</ol> }.into_any()
                            }}
                            {if open_to_answer {
                                view! { <RespondForm path=path.get_value() quote=d.clone() on_done=done/> }.into_any()
                            } else {
                                view! { <p class="muted small">"This request is settled: no further offer can be made."</p> }.into_any()
                            }}
                        }.into_any()
                    }
                })}
            </Suspense>
            </div>
        </Modal>
    }
}

/// A price for each requested line; the total follows as you type.
#[component]
fn RespondForm(path: String, quote: QuoteRequest, on_done: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let lines = quote.lines.clone();
    let last = quote.offer.clone();
    let currency = RwSignal::new(
        last.as_ref()
            .map_or_else(|| "EUR".to_owned(), |o| o.currency.clone()),
    );
    let prices: Vec<RwSignal<String>> = lines
        .iter()
        .map(|l| {
            let before = last
                .as_ref()
                .and_then(|o| o.lines.iter().find(|p| p.sku == l.sku))
                .map(|p| p.unit_price);
            let text = before.map(|v| money::plain(v, &currency.get_untracked()));
            RwSignal::new(text.unwrap_or_default())
        })
        .collect();
    // Two weeks from today (the browser's clock: `Utc::now` has none in wasm).
    let in_two_weeks = chrono::DateTime::from_timestamp_millis(js_sys::Date::now() as i64)
        .map(|now| (now + chrono::Duration::days(14)).date_naive().to_string());
    let valid_until = RwSignal::new(in_two_weeks.unwrap_or_default());
    let message = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let (for_total, for_submit) = (
        (lines.clone(), prices.clone()),
        (lines.clone(), prices.clone()),
    );
    let total = move || {
        let c = currency.get();
        let (lines, prices) = &for_total;
        lines.iter().zip(prices).try_fold(0_i64, |sum, (l, p)| {
            money::parse(&p.get(), &c).map(|v| sum + v * l.quantity)
        })
    };
    let path = StoredValue::new(path);
    let declined = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::call::<QuoteRequest>(
                "POST",
                &format!("{}/decline", path.get_value()),
                None::<&()>,
                &[],
            )
            .await
            {
                Ok(_) => {
                    toasts.show(Tone::Success, "Quote request declined.");
                    on_done.run(());
                }
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let c = currency.get_untracked();
        let (lines, prices) = &for_submit;
        let mut priced = Vec::new();
        for (l, p) in lines.iter().zip(prices) {
            match money::parse(&p.get_untracked(), &c) {
                Some(unit_price) => priced.push(QuotedPrice {
                    sku: l.sku.clone(),
                    unit_price,
                }),
                None => {
                    error.set(Some(format!(
                        "Enter a unit price for {}, such as 149.00.",
                        l.name
                    )));
                    return;
                }
            }
        }
        let until = valid_until
            .get_untracked()
            .parse::<chrono::NaiveDate>()
            .ok()
            .and_then(|d| d.and_hms_opt(23, 59, 59))
            .map(|t| t.and_utc());
        let Some(valid_until) = until else {
            error.set(Some("Choose until when the offer holds.".into()));
            return;
        };
        let body = CreateQuoteResponse {
            currency: c,
            lines: Some(priced),
            total: None,
            message: Some(message.get_untracked()).filter(|m| !m.trim().is_empty()),
            valid_until,
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::post::<QuoteRequest>(&format!("{}/responses", path.get_value()), &body).await
            {
                Ok(_) => {
                    toasts.show(Tone::Success, "Offer sent.");
                    on_done.run(());
                }
                Err(e) => error.set(Some(e.message())),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="form respond" on:submit=submit novalidate>
            <h4>{if last.is_some() { "Send a new offer" } else { "Respond with an offer" }}</h4>
            <div class="table-wrap"><table>
                <caption class="visually-hidden">"Prices per line"</caption>
                <thead><tr><th scope="col">"Product"</th><th scope="col" class="num">"Qty"</th><th scope="col">"Unit price"</th><th scope="col" class="num">"Line total"</th></tr></thead>
                <tbody>{lines.iter().zip(prices.iter().copied()).map(|(l, price)| {
                    let qty = l.quantity;
                    view! { <tr>
                        <td>{l.name.clone()}<br/><span class="muted small">{l.sku.clone()}</span></td>
                        <td class="num">{qty}</td>
                        <td><input class="price" inputmode="decimal" aria-label=format!("Unit price of {}", l.name) bind:value=price/></td>
                        <td class="num">{move || money::parse(&price.get(), &currency.get()).map(|v| money::format(v * qty, &currency.get())).unwrap_or_else(|| "—".into())}</td>
                    </tr> }
                }).collect_view()}</tbody>
            </table></div>
            <p class="offer-total">"Total: "<strong>{move || total().map(|t| money::format(t, &currency.get())).unwrap_or_else(|| "—".into())}</strong></p>
            <div class="form-grid">
                <label class="field"><span>"Currency"</span>
                    <select prop:value=move || currency.get() on:change=move |ev| currency.set(event_target_value(&ev))>
                        {["EUR", "USD", "GBP", "CHF", "SEK", "DKK", "NOK", "PLN", "CAD", "AUD", "JPY"].map(|c| view! { <option value=c>{c}</option> }).collect_view()}
                    </select></label>
                <label class="field"><span>"Valid until"</span><input type="date" bind:value=valid_until/></label>
                <label class="field span-2"><span>"Message (optional)"</span><textarea rows="2" bind:value=message></textarea></label>
            </div>
            {move || error.get().map(|e| view! { <div class="alert alert-error" role="alert">{e}</div> })}
            <div class="modal-actions">
                <button type="button" class="button button-danger-quiet" disabled=move || busy.get() on:click=declined>"Decline request"</button>
                <button type="submit" class="button button-primary" disabled=move || busy.get()>"Send offer"</button>
            </div>
        </form>
    }
}
