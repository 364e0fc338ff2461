//! What a listing holds and needs: its content read from the JSON columns, the checklist, the store limits and version ordering.

use super::*;

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

pub(super) fn ids(field: &str, raw: &[&str]) -> AppResult<Vec<i64>> {
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
