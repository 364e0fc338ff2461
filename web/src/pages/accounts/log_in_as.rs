//! "Log in as": the choice made before the customer's back office opens in a new tab.

use leptos::prelude::*;
use types::accounts::Account;

use super::display_name;
use crate::components::Modal;

/// "Log in as": how to open the customer's back office (optionally look-only) before the new tab
/// opens. The tab opens inside the button's click, so no pop-up blocker stops it.
#[component]
pub fn LogInAsDialog(
    account: Account,
    on_open: Callback<(Account, bool)>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let read_only = RwSignal::new(false);
    let who = display_name(&account);
    view! {
        <Modal title=format!("Log in as {who}") on_close=on_cancel>
            <div class="form">
                <p>"The customer's back office opens in a new tab for at most an hour, with a banner naming you. Everything you do there is recorded in the activity log under both names. Your own session here is not affected."</p>
                <label class="check">
                    <input type="checkbox" name="read_only" prop:checked=move || read_only.get()
                        on:change=move |ev| read_only.set(event_target_checked(&ev))/>
                    <span>"Read-only: look without changing anything"</span>
                </label>
                <footer class="modal-actions">
                    <button type="button" class="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                    <button type="button" class="button button-primary"
                        on:click=move |_| on_open.run((account.clone(), read_only.get_untracked()))>"Open back office"</button>
                </footer>
            </div>
        </Modal>
    }
}
