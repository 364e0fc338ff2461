//! One account of a directory's table, with its actions.

use leptos::prelude::*;
use types::accounts::{Account, AccountStatus};

use super::{display_name, Dialog};
use crate::components::{date, RowMenu, StatusBadge};

/// An account's row: who, email, (for an admin's customers) the managing partner, status,
/// created, and the actions its status allows.
#[component]
pub(super) fn DirectoryRow(
    account: Account,
    /// The customers' directory (else the partners').
    customers: bool,
    is_admin: bool,
    /// The managing partner's name, shown in an admin's customer directory.
    managed_by: String,
    dialog: RwSignal<Dialog>,
    /// Sends a pending customer its activation link again.
    on_resend: Callback<Account>,
) -> impl IntoView {
    let person = format!("{} {}", account.first_name, account.last_name);
    let label = display_name(&account);
    let (for_edit, for_status, for_delete, for_login) = (
        account.clone(),
        account.clone(),
        account.clone(),
        account.clone(),
    );
    let locked = account.status == AccountStatus::Locked;
    let can_log_in_as = customers && account.status == AccountStatus::Activated;
    // The customer's own choice: the button stays, disabled, and says why.
    let refuses_log_in_as = !account.allow_log_in_as;
    let can_resend = customers && !is_admin && account.status == AccountStatus::PendingActivation;
    let (for_resend, for_apps) = (account.clone(), account.clone());
    view! {
        <tr>
            <td><strong>{label.clone()}</strong><div class="muted small">{person}</div></td>
            <td>{account.email.clone()}</td>
            {(customers && is_admin).then(|| view! { <td>{managed_by}</td> })}
            <td><StatusBadge status=account.status/></td>
            <td class="nowrap">{date(&account.created_at)}</td>
            <td class="actions">
                {can_log_in_as.then(|| if refuses_log_in_as {
                    view! {
                        <button class="button button-small" type="button" disabled=true aria-label=format!("Log in as: off for {label}, by the customer's choice")
                            title="The customer switched “log in as” off in its profile">"Log in as: off"</button>
                    }.into_any()
                } else {
                    view! {
                        <button class="button button-small" aria-label=format!("Log in as {label}")
                            title="Open this customer's back office in a new tab"
                            on:click=move |_| dialog.set(Dialog::LogInAs(for_login.clone()))>"Log in as"</button>
                    }.into_any()
                })}
                {can_resend.then(|| view! {
                    <button class="button button-small" aria-label=format!("Resend activation to {label}")
                        on:click=move |_| on_resend.run(for_resend.clone())>"Resend activation"</button>
                })}
                <button class="button button-small" aria-label=format!("Edit {label}")
                    on:click=move |_| dialog.set(Dialog::Edit(for_edit.clone()))>"Edit"</button>
                <RowMenu of=label.clone()>
                    {customers.then(|| view! {
                        <a class="menu-item" role="menuitem" href=format!("/apps?owner_id={}", for_apps.id)>"Apps"</a>
                    })}
                    <button class="menu-item" role="menuitem"
                        on:click={let a = for_status.clone(); move |_| dialog.set(Dialog::SetStatus(a.clone(), if locked { AccountStatus::Activated } else { AccountStatus::Locked }))}>
                        {if locked { "Unlock" } else { "Lock" }}
                    </button>
                    <button class="menu-item menu-item-danger" role="menuitem"
                        on:click={let a = for_delete.clone(); move |_| dialog.set(Dialog::Delete(a.clone()))}>"Delete"</button>
                </RowMenu>
            </td>
        </tr>
    }
}
