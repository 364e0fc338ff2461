//! The administrators' plans: the list and the plan form.

use leptos::prelude::*;
use types::billing::{CreatePlan, Plan, UpdatePlan};
use types::Page;

use super::parts::*;
use crate::api;
use crate::components::{
    use_toasts, Empty, ErrorBox, FormAlerts, FormState, Loading, Modal, TextField, Tone,
};
use crate::money;

/// Administrators' plans: add, edit, archive.
#[component]
pub fn Plans() -> impl IntoView {
    let version = RwSignal::new(0_u32);
    let editing = RwSignal::new(None::<Option<Plan>>);
    let list = LocalResource::new(move || {
        version.track();
        async move { api::get::<Page<Plan>>(&plans_path()).await }
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
pub(super) fn PlanForm(plan: Option<Plan>, on_close: Callback<bool>) -> impl IntoView {
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
