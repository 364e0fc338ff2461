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

mod content;
mod requests;
mod workflow;
pub use content::*;
pub use requests::*;
pub use workflow::*;

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
