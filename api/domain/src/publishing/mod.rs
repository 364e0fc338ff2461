//! Publishing to the stores: the rules of publish requests (what a listing needs, version
//! ordering, who may move a request where), their wire form, and uploaded assets.
//! Every change runs in the caller's transaction with the request locked, adds a step to the
//! request's timeline, is audited, and (for the reviewers' moves) emails the app's owner.

pub mod assets;
pub mod storage;

pub use assets::{asset_to_wire, sniff, upload, SCREENSHOT_MAX_BYTES};

use std::collections::HashSet;
use types::ErrorCode;

use chrono::NaiveDateTime;
use types::publishing::{
    compare_versions, AssetKind, ChecklistItem, Listing, PublishEvent, PublishRequest,
    PublishStatus, ReleaseNote, ReviewPublishRequest, ScreenshotId, Store,
};
use types::FieldError;

use crate::db::audit::Actor;
use crate::db::plans::PlanRow;
use crate::db::publishing::{app_names, AssetRow, PublishChanges, PublishRow};
use crate::db::schema::{accounts, apps};
use crate::db::subscriptions::SubscriptionRow;
use crate::db::{utc, DbConn};
use crate::error::{AppError, AppResult};
use crate::mailer::{Email, Mailer};
use types::billing::SubscriptionStatus;

// Its conflicts are answered by the store's unique indexes too, so they live with the error.
pub use crate::error::request_in_flight;

/// Screenshots a listing needs (Google Play asks for two at least; both stores take ten).
pub const SCREENSHOTS: std::ops::RangeInclusive<usize> = 2..=10;

/// A request's release notes and listing, read from their JSON columns.
pub struct Content {
    pub release_notes: Vec<ReleaseNote>,
    pub listing: Listing,
}

impl Content {
    pub fn of(row: &PublishRow) -> AppResult<Self> {
        Ok(Self {
            release_notes: serde_json::from_str(&row.release_notes).map_err(AppError::internal)?,
            listing: serde_json::from_str(&row.listing).map_err(AppError::internal)?,
        })
    }

    pub fn notes_json(notes: &[ReleaseNote]) -> AppResult<String> {
        serde_json::to_string(notes).map_err(AppError::internal)
    }

    pub fn listing_json(listing: &Listing) -> AppResult<String> {
        serde_json::to_string(listing).map_err(AppError::internal)
    }
}

/// What the store needs before the request can be submitted.
pub fn checklist(content: &Content) -> Vec<ChecklistItem> {
    let l = &content.listing;
    let item = |field: &str, label: &str, done: bool| ChecklistItem {
        field: field.to_owned(),
        label: label.to_owned(),
        done,
    };
    vec![
        item("listing.app_name", "App name", l.app_name.is_some()),
        item(
            "listing.short_description",
            "Short description",
            l.short_description.is_some(),
        ),
        item(
            "listing.full_description",
            "Full description",
            l.full_description.is_some(),
        ),
        item("listing.keywords", "Keywords", l.keywords.is_some()),
        item(
            "listing.support_url",
            "Support URL",
            l.support_url.is_some(),
        ),
        item(
            "listing.privacy_policy_url",
            "Privacy policy URL",
            l.privacy_policy_url.is_some(),
        ),
        item("listing.icon_asset_id", "Icon", l.icon_asset_id.is_some()),
        item(
            "listing.screenshot_asset_ids",
            "2 to 10 screenshots",
            SCREENSHOTS.contains(&l.screenshot_asset_ids.len()),
        ),
        item(
            "release_notes",
            "Release notes in one language at least",
            !content.release_notes.is_empty(),
        ),
    ]
}

fn ids(field: &str, raw: &[&str]) -> AppResult<Vec<i64>> {
    raw.iter()
        .map(|id| {
            id.parse::<i64>()
                .map_err(|_| AppError::invalid_field(field, "is not an asset id"))
        })
        .collect()
}

/// Checks what a request says against the store's limits and the app's assets.
pub fn check_content(
    conn: &mut DbConn,
    app_id: i64,
    store: Store,
    content: &Content,
) -> AppResult<()> {
    let mut errors = Vec::new();
    let mut locales = HashSet::new();
    for (i, note) in content.release_notes.iter().enumerate() {
        if !locales.insert(note.locale.as_str()) {
            errors.push(FieldError {
                field: format!("release_notes[{i}].locale"),
                message: format!("{} is given twice", note.locale),
            });
        }
        if note.text.chars().count() > store.release_note_limit() {
            errors.push(FieldError {
                field: format!("release_notes[{i}].text"),
                message: format!(
                    "{} takes at most {} characters",
                    store.label(),
                    store.release_note_limit()
                ),
            });
        }
    }
    let listing = &content.listing;
    if let Some(icon) = &listing.icon_asset_id {
        let wanted = ids("listing.icon_asset_id", &[icon.as_str()])?;
        if AssetRow::of_kind(conn, app_id, AssetKind::Icon, &wanted)?.is_empty() {
            errors.push(FieldError {
                field: "listing.icon_asset_id".into(),
                message: "is not an icon uploaded for this app".into(),
            });
        }
    }
    let shots: Vec<&str> = listing
        .screenshot_asset_ids
        .iter()
        .map(|ScreenshotId(id)| id.as_str())
        .collect();
    let wanted = ids("listing.screenshot_asset_ids", &shots)?;
    let found: HashSet<i64> = AssetRow::of_kind(conn, app_id, AssetKind::Screenshot, &wanted)?
        .into_iter()
        .collect();
    let distinct: HashSet<i64> = wanted.iter().copied().collect();
    if found.len() != distinct.len() || distinct.len() != wanted.len() {
        errors.push(FieldError {
            field: "listing.screenshot_asset_ids".into(),
            message: "must name distinct screenshots uploaded for this app".into(),
        });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(errors))
    }
}

/// Refuses a version that is not newer than the one live on the store.
pub fn check_version(
    conn: &mut DbConn,
    app_id: i64,
    store: Store,
    (version_name, build_number): (&str, i64),
) -> AppResult<()> {
    let Some(live) = PublishRow::live(conn, app_id, store)? else {
        return Ok(());
    };
    let mut errors = Vec::new();
    if compare_versions(version_name, &live.version_name) != std::cmp::Ordering::Greater {
        errors.push(FieldError {
            field: "version_name".into(),
            message: format!(
                "must be greater than {}, the version live on {}",
                live.version_name,
                store.label()
            ),
        });
    }
    if build_number <= live.build_number {
        errors.push(FieldError {
            field: "build_number".into(),
            message: format!(
                "must be greater than {}, the build live on {}",
                live.build_number,
                store.label()
            ),
        });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(errors))
    }
}

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

fn move_to(
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

fn notify_owner(
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

/// The wire form of `rows`, with their apps' names in one query; `timeline` for one request.
pub fn to_wire(
    conn: &mut DbConn,
    rows: &[PublishRow],
    timeline: bool,
    (alert_hours, now): (i64, NaiveDateTime),
) -> AppResult<Vec<PublishRequest>> {
    let app_ids: Vec<i64> = rows.iter().map(|r| r.app_id).collect();
    let names = app_names(conn, &app_ids)?;
    rows.iter()
        .map(|row| {
            let content = Content::of(row)?;
            let events = if timeline {
                PublishRow::events(conn, row.id)?
                    .into_iter()
                    .map(|e| PublishEvent {
                        status: e.status,
                        revision: e.revision,
                        note: e.note,
                        actor_email: e.actor_email,
                        at: utc(e.created_at),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            Ok(PublishRequest {
                id: row.id.to_string(),
                app_id: row.app_id.to_string(),
                app_name: names.get(&row.app_id).cloned().unwrap_or_default(),
                store: row.store,
                version_name: row.version_name.clone(),
                build_number: row.build_number,
                checklist: checklist(&content),
                release_notes: content.release_notes,
                listing: content.listing,
                status: row.status,
                revision: row.revision,
                review_note: row.review_note.clone(),
                submitted_at: row.submitted_at.map(utc),
                decided_at: row.decided_at.map(utc),
                overdue: overdue(row, alert_hours, now),
                timeline: events,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
            })
        })
        .collect()
}
