//! How audit events read: the words for each action and subject, the links to what they touched, and day bounds in local time.

use super::*;
use chrono::{DateTime, Utc};

pub(super) const ACTIONS: &[(&str, &str)] = &[
    ("session.create", "Signed in"),
    ("session.impersonate", "Started a “log in as” session"),
    ("session.revoke", "Ended one of the sessions"),
    ("session.revoke_others", "Ended every other session"),
    ("account.allow_log_in_as", "Allowed “log in as” for"),
    ("account.refuse_log_in_as", "Switched off “log in as” for"),
    ("two_factor.enable", "Turned on two-step sign-in for"),
    ("two_factor.disable", "Turned off two-step sign-in for"),
    ("two_factor.recovery_codes", "Made new recovery codes for"),
    (
        "two_factor.recovery_code_used",
        "Signed in with a recovery code of",
    ),
    ("two_factor.reset", "Reset the two-step sign-in of"),
    ("account.register", "Signed up"),
    ("account.activate", "Activated the account of"),
    ("account.update", "Changed the profile of"),
    ("account.change_password", "Changed the password of"),
    ("account.password_reset", "Reset the password of"),
    ("admin.create", "Created administrator"),
    ("partner.create", "Created partner"),
    ("partner.update", "Changed partner"),
    ("partner.lock", "Locked partner"),
    ("partner.activate", "Unlocked partner"),
    ("partner.delete", "Deleted partner"),
    ("customer.create", "Created customer"),
    ("customer.update", "Changed customer"),
    ("customer.lock", "Locked customer"),
    ("customer.activate", "Unlocked customer"),
    (
        "customer.resend_activation",
        "Sent the activation email again to",
    ),
    ("customer.impersonate", "Logged in as customer"),
    ("customer.delete", "Deleted customer"),
    ("app.create", "Created app"),
    ("app.update", "Changed app"),
    ("app.rotate_key", "Replaced the app key of"),
    ("app.delete", "Deleted app"),
    ("mobile_user.create", "Added mobile user"),
    ("mobile_user.update", "Changed mobile user"),
    ("mobile_user.block", "Blocked mobile user"),
    ("mobile_user.unblock", "Unblocked mobile user"),
    ("mobile_user.delete", "Deleted mobile user"),
    ("order.update", "Updated order"),
    ("plan.create", "Created plan"),
    ("plan.update", "Changed plan"),
    ("plan.delete", "Deleted plan"),
    ("coupon.create", "Created coupon"),
    ("coupon.update", "Changed coupon"),
    ("coupon.delete", "Deleted coupon"),
    ("subscription.create", "Subscribed"),
    ("subscription.update", "Changed the plan of"),
    ("subscription.coupon", "Applied a coupon to"),
    (
        "subscription.payment_method",
        "Changed the payment method of",
    ),
    ("subscription.cancel", "Canceled the subscription of"),
    ("subscription.renewed", "Renewed the subscription of"),
    ("subscription.past_due", "Payment overdue for"),
    ("subscription.canceled_unpaid", "Canceled for non-payment:"),
    ("subscription.ended", "Subscription ended:"),
    ("subscription.expired", "Subscription expired unpaid:"),
    ("payment.succeeded", "Payment received:"),
    ("payment.pending", "Payment processing:"),
    ("payment.failed", "Payment failed:"),
    ("publish_request.created", "Prepared publishing of"),
    ("publish_request.submitted", "Submitted for review:"),
    ("publish_request.replaced", "Replaced the request for"),
    ("publish_request.canceled", "Withdrew"),
    ("publish_request.in_review", "Started the review of"),
    ("publish_request.published", "Published"),
    ("publish_request.rejected", "Rejected"),
    ("asset.uploaded", "Uploaded image"),
    ("api_token.create", "Created API token"),
    ("api_token.revoke", "Revoked API token"),
    ("demo.seed", "Loaded the demo data"),
];

/// The kinds of object events are about, for the "About" filter.
pub(super) const SUBJECTS: &[(&str, &str)] = &[
    ("", "Anything"),
    ("session", "Sign-ins"),
    ("account", "Own account"),
    ("partner", "Partners"),
    ("customer", "Customers"),
    ("app", "Apps"),
    ("mobile_user", "Mobile users"),
    ("order", "Orders"),
    ("quote_request", "Quote requests"),
    ("subscription", "Subscriptions"),
    ("payment", "Payments"),
    ("plan", "Plans"),
    ("coupon", "Coupons"),
    ("publish_request", "Publishing"),
    ("asset", "Images"),
    ("api_token", "API tokens"),
];

/// "Created partner" for `partner.create`; unknown actions in a readable form of their own.
pub(super) fn action_words(action: &str) -> String {
    ACTIONS
        .iter()
        .find(|(a, _)| *a == action)
        .map(|(_, words)| (*words).to_owned())
        .unwrap_or_else(|| {
            let (subject, verb) = action.split_once('.').unwrap_or(("", action));
            let words = format!("{} {}", verb.replace('_', " "), subject.replace('_', " "));
            let mut chars = words.trim().chars();
            chars
                .next()
                .map(|c| c.to_uppercase().chain(chars).collect())
                .unwrap_or_default()
        })
}

/// Where the subject can be seen by the viewer (nothing for deleted objects or pages the viewer
/// does not have).
pub(super) fn subject_link(e: &AuditEvent, role: Option<Role>) -> Option<String> {
    let id = e.subject_id.as_deref()?;
    if e.action.ends_with(".delete") {
        return None;
    }
    let by_name = |page: &str| {
        e.subject_name
            .as_deref()
            .map(|n| query::path_with(&format!("/{page}"), &[("q", n)]))
    };
    match (e.subject_type.as_str(), role) {
        ("app", _) => Some(format!("/apps/{id}")),
        ("partner", Some(Role::Admin)) => by_name("partners"),
        ("customer", Some(Role::Admin | Role::Partner)) => by_name("customers"),
        ("plan", Some(Role::Admin)) => Some("/plans".into()),
        ("coupon", Some(Role::Admin | Role::Partner)) => Some("/coupons".into()),
        ("subscription" | "payment", _) => Some("/billing".into()),
        ("publish_request", _) => Some("/publishing".into()),
        ("api_token", _) => Some("/profile".into()),
        _ => None,
    }
}

/// "2026-11-23" (a day in the viewer's zone) as the UTC instant its first moment is; `next`: of
/// the day after.
pub(super) fn local_day_start(day: &str, next: bool) -> Option<DateTime<Utc>> {
    let d = day.parse::<chrono::NaiveDate>().ok()?;
    let d = if next { d.succ_opt()? } else { d };
    use chrono::Datelike;
    let moment = js_sys::Date::new_with_year_month_day(
        u32::try_from(d.year()).ok()?,
        i32::try_from(d.month0()).ok()?,
        i32::try_from(d.day()).ok()?,
    );
    #[allow(clippy::cast_possible_truncation)] // milliseconds since 1970 of a calendar day
    DateTime::from_timestamp_millis(moment.get_time() as i64)
}
