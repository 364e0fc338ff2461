//! How a publish request moves: submission, withdrawal and the reviewers' moves, each audited, with the owner emailed.

use super::*;

pub fn illegal(from: PublishStatus, to: PublishStatus) -> AppError {
    AppError::new(
        ErrorCode::IllegalTransition,
        format!(
            "A request that is {} cannot become {}.",
            from.label().to_lowercase(),
            to.label().to_lowercase()
        ),
    )
}

/// Whether the app's subscription lets it submit: `active`, or `trialing` on a plan that allows
/// publishing during the trial.
pub fn may_submit(conn: &mut DbConn, app_id: i64) -> AppResult<bool> {
    let Some(sub) = SubscriptionRow::live_for_app(conn, app_id)? else {
        return Ok(false);
    };
    Ok(match sub.status {
        SubscriptionStatus::Active => true,
        SubscriptionStatus::Trialing => PlanRow::find(conn, sub.plan_id)?.publish_in_trial,
        _ => false,
    })
}

/// Submits a `draft` (or a `rejected` request, as its next revision) to its store: the listing
/// must be complete, the version newer than the live one, the app's subscription `active`, and
/// another request waiting for that store is refused unless `replace` withdraws it.
pub fn submit(
    conn: &mut DbConn,
    row: &PublishRow,
    replace: bool,
    actor: &Actor,
    now: NaiveDateTime,
) -> AppResult<PublishRow> {
    if !row.status.is_editable() {
        return Err(illegal(row.status, PublishStatus::Submitted));
    }
    let content = Content::of(row)?;
    let missing: Vec<FieldError> = checklist(&content)
        .into_iter()
        .filter(|item| !item.done)
        .map(|item| FieldError {
            field: item.field,
            message: format!("{} is needed to submit", item.label),
        })
        .collect();
    if !missing.is_empty() {
        let detail = format!(
            "The listing is not complete: {}.",
            missing
                .iter()
                .map(|m| m.field.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut error = AppError::new(ErrorCode::ListingIncomplete, detail);
        for m in &missing {
            error = error.on_field(&m.field);
        }
        return Err(error);
    }
    check_content(conn, row.app_id, row.store, &content)?;
    check_version(
        conn,
        row.app_id,
        row.store,
        (&row.version_name, row.build_number),
    )?;
    if !may_submit(conn, row.app_id)? {
        return Err(AppError::new(
            ErrorCode::SubscriptionRequired,
            format!(
                "Publishing needs an active subscription for this app (or a trial of a plan \
                 that allows publishing): subscribe or pay in Billing (/apps/{}/billing).",
                row.app_id
            ),
        ));
    }
    if let Some(waiting) = PublishRow::waiting(conn, row.app_id, row.store)? {
        if !replace {
            return Err(AppError::new(
                ErrorCode::RequestInFlight,
                format!(
                    "Request {} for {} is still waiting at the store: withdraw it, or submit \
                     this one with \"replace\": true to withdraw and replace it in one step.",
                    waiting.id,
                    row.store.label()
                ),
            ));
        }
        let withdrawn = move_to(
            conn,
            &waiting,
            PublishStatus::Canceled,
            Some(format!("Replaced by request {}.", row.id)),
            now,
        )?;
        withdrawn.record(conn, withdrawn.review_note.as_deref(), actor.email(), now)?;
        actor.record(
            conn,
            "publish_request.replaced",
            "publish_request",
            Some(waiting.id.to_string()),
        )?;
    }
    let submitted = PublishRow::update(
        conn,
        row.id,
        &PublishChanges {
            status: Some(PublishStatus::Submitted.as_str()),
            revision: Some(row.revision + 1),
            // The last answer concerned the previous revision; the timeline keeps it.
            review_note: Some(None),
            submitted_at: Some(Some(now)),
            decided_at: Some(None),
            ..Default::default()
        },
        now,
    )?;
    submitted.record(conn, None, actor.email(), now)?;
    actor.record(
        conn,
        "publish_request.submitted",
        "publish_request",
        Some(row.id.to_string()),
    )?;
    Ok(submitted)
}

pub(super) fn move_to(
    conn: &mut DbConn,
    row: &PublishRow,
    status: PublishStatus,
    note: Option<String>,
    now: NaiveDateTime,
) -> AppResult<PublishRow> {
    let decided = matches!(
        status,
        PublishStatus::Published | PublishStatus::Rejected | PublishStatus::Canceled
    );
    Ok(PublishRow::update(
        conn,
        row.id,
        &PublishChanges {
            status: Some(status.as_str()),
            review_note: note.map(Some),
            decided_at: decided.then_some(Some(now)),
            ..Default::default()
        },
        now,
    )?)
}

/// The owner withdraws a waiting request, or discards a draft or a rejected one.
pub fn cancel(
    conn: &mut DbConn,
    row: &PublishRow,
    reason: Option<String>,
    actor: &Actor,
    now: NaiveDateTime,
) -> AppResult<PublishRow> {
    if !(row.status.is_waiting() || row.status.is_editable()) {
        return Err(illegal(row.status, PublishStatus::Canceled));
    }
    let canceled = move_to(conn, row, PublishStatus::Canceled, reason.clone(), now)?;
    canceled.record(conn, reason.as_deref(), actor.email(), now)?;
    actor.record(
        conn,
        "publish_request.canceled",
        "publish_request",
        Some(row.id.to_string()),
    )?;
    Ok(canceled)
}

/// Where a reviewer may move a request from where it is.
pub fn reviewer_may(from: PublishStatus, to: PublishStatus) -> bool {
    use PublishStatus::{InReview, Published, Rejected, Submitted};
    matches!(
        (from, to),
        (Submitted, InReview) | (Submitted | InReview, Rejected) | (InReview, Published)
    )
}

/// An administrator records what the store did; the owner is emailed.
pub fn review(
    conn: &mut DbConn,
    mailer: &Mailer,
    row: &PublishRow,
    body: &ReviewPublishRequest,
    actor: &Actor,
    now: NaiveDateTime,
) -> AppResult<PublishRow> {
    if !reviewer_may(row.status, body.status) {
        return Err(illegal(row.status, body.status));
    }
    if body.status == PublishStatus::Rejected && body.note.is_none() {
        return Err(AppError::invalid_field(
            "note",
            "must give the store's reason for a rejection",
        ));
    }
    let note = body.note.as_ref().map(|n| n.trim().to_owned());
    let moved = move_to(conn, row, body.status, note.clone(), now)?;
    moved.record(conn, note.as_deref(), actor.email(), now)?;
    actor.record(
        conn,
        &format!("publish_request.{}", body.status.as_str()),
        "publish_request",
        Some(row.id.to_string()),
    )?;
    notify_owner(conn, mailer, &moved, note.as_deref())?;
    Ok(moved)
}

pub(super) fn notify_owner(
    conn: &mut DbConn,
    mailer: &Mailer,
    row: &PublishRow,
    note: Option<&str>,
) -> AppResult<()> {
    use diesel::prelude::*;
    let owner: Option<(String, String, String)> = apps::table
        .inner_join(accounts::table)
        .filter(apps::id.eq(row.app_id))
        .select((apps::name, accounts::email, accounts::first_name))
        .first(conn)
        .optional()?;
    let Some((app_name, email, first_name)) = owner else {
        return Ok(());
    };
    let what = match row.status {
        PublishStatus::InReview => "is in review".to_owned(),
        PublishStatus::Published => "is published".to_owned(),
        PublishStatus::Rejected => "was rejected".to_owned(),
        other => format!("is {}", other.label().to_lowercase()),
    };
    let subject = format!(
        "{} {} {} on {}",
        app_name,
        row.version_name,
        what,
        row.store.label()
    );
    let text = match note {
        Some(note) => format!("{subject}.\n\nThe store's answer: {note}"),
        None => format!("{subject}."),
    };
    mailer.enqueue(
        conn,
        &email,
        &Email::Publishing {
            name: &first_name,
            subject: &subject,
            text: &text,
            app_id: row.app_id,
        },
    )?;
    Ok(())
}

/// Whether a request has waited at the store longer than `alert_hours`.
pub fn overdue(row: &PublishRow, alert_hours: i64, now: NaiveDateTime) -> bool {
    row.status.is_waiting()
        && row
            .submitted_at
            .is_some_and(|at| now - at > chrono::Duration::hours(alert_hours))
}
