//! "Publish app": a customer (or its partner) asks for an app version to be published on the App
//! Store or Google Play; the installation's administrators work the queue and record what the
//! stores answer. Store assets (icon, screenshots) are uploaded files.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use crate::rules;

crate::string_enum! {
    /// The store a request publishes to.
    pub enum Store {
        AppStore = "app_store",
        GooglePlay = "google_play",
    }
}

impl Store {
    pub fn label(self) -> &'static str {
        match self {
            Self::AppStore => "App Store",
            Self::GooglePlay => "Google Play",
        }
    }

    /// The longest release note the store takes per language ("What's New": 4 000 on the App
    /// Store, 500 on Google Play).
    pub fn release_note_limit(self) -> usize {
        match self {
            Self::AppStore => 4000,
            Self::GooglePlay => 500,
        }
    }
}

crate::string_enum! {
    /// Where a publish request stands: `draft` → `submitted` → `in_review` → `published` or
    /// `rejected` (the owner edits it and submits it again as the next revision); `canceled` when
    /// withdrawn (or replaced by a newer request for the same store).
    pub enum PublishStatus {
        Draft = "draft",
        Submitted = "submitted",
        InReview = "in_review",
        Published = "published",
        Rejected = "rejected",
        Canceled = "canceled",
    }
}

impl PublishStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Submitted => "Submitted",
            Self::InReview => "In review",
            Self::Published => "Published",
            Self::Rejected => "Rejected",
            Self::Canceled => "Canceled",
        }
    }

    /// Waiting at the store (what "withdraw" and the alerts are about).
    pub fn is_waiting(self) -> bool {
        matches!(self, Self::Submitted | Self::InReview)
    }

    /// The owner may still change it.
    pub fn is_editable(self) -> bool {
        matches!(self, Self::Draft | Self::Rejected)
    }
}

crate::string_enum! {
    /// What an uploaded file is for.
    pub enum AssetKind {
        Icon = "icon",
        Screenshot = "screenshot",
    }
}

/// Release notes ("What's New") in one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
pub struct ReleaseNote {
    /// A language tag: `en`, `en-US`, `pt-BR`.
    #[validate(custom(function = "locale"))]
    #[schema(pattern = "^[a-z]{2,3}(-[A-Z]{2})?$", example = "en-US")]
    pub locale: String,
    /// At most 4 000 characters on the App Store, 500 on Google Play.
    #[validate(length(min = 1, max = 4000), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    pub text: String,
}

fn locale(tag: &str) -> Result<(), ValidationError> {
    let (lang, region) = tag.split_once('-').unwrap_or((tag, "AA"));
    let valid = (2..=3).contains(&lang.len())
        && lang.bytes().all(|b| b.is_ascii_lowercase())
        && region.len() == 2
        && region.bytes().all(|b| b.is_ascii_uppercase());
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new("locale").with_message("must be a language tag like en-US".into()))
    }
}

/// The store listing. Every field may be left out of a draft; submitting needs them all (see
/// `checklist` on the request).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema, Validate)]
pub struct Listing {
    #[validate(length(min = 1, max = 30), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 30, pattern = r"\S", example = "Shop One")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_name: Option<String>,
    /// Google Play's short description, the App Store's subtitle.
    #[validate(length(min = 1, max = 80), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 80, pattern = r"\S")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_description: Option<String>,
    #[validate(length(min = 1, max = 4000), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 4000, pattern = r"\S")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub full_description: Option<String>,
    /// Comma-separated search keywords.
    #[validate(length(min = 1, max = 100), custom(function = "rules::not_blank"))]
    #[schema(
        min_length = 1,
        max_length = 100,
        pattern = r"\S",
        example = "shop,furniture"
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keywords: Option<String>,
    #[validate(length(max = 500), custom(function = "rules::web_url"))]
    #[schema(
        max_length = 500,
        pattern = "^https?://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?(/[!-~]*)?$"
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_url: Option<String>,
    #[validate(length(max = 500), custom(function = "rules::web_url"))]
    #[schema(
        max_length = 500,
        pattern = "^https?://([A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(:[0-9]{1,5})?(/[!-~]*)?$"
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy_policy_url: Option<String>,
    /// An uploaded `icon` of this app.
    #[validate(custom(function = "rules::numeric_id"))]
    #[schema(pattern = "^[1-9][0-9]{0,17}$")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon_asset_id: Option<String>,
    /// Uploaded `screenshot`s of this app, in the order the store shows them (2 to 10).
    #[validate(length(max = 10))]
    #[schema(max_items = 10, inline)]
    #[serde(default)]
    pub screenshot_asset_ids: Vec<ScreenshotId>,
}

/// An uploaded screenshot's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
#[schema(value_type = String, pattern = "^[1-9][0-9]{0,17}$")]
pub struct ScreenshotId(pub String);

/// One thing the store needs before a request can be submitted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChecklistItem {
    /// The request field it is about (`listing.app_name`, `release_notes`…).
    pub field: String,
    pub label: String,
    pub done: bool,
}

/// One step of a request's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PublishEvent {
    pub status: PublishStatus,
    /// The revision it concerns (each submission after a rejection is the next one).
    pub revision: i32,
    /// The store's answer, the reviewer's note or the owner's reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_email: Option<String>,
    pub at: DateTime<Utc>,
}

/// A request to publish a version of an app on one store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PublishRequest {
    #[schema(example = "1")]
    pub id: String,
    pub app_id: String,
    pub app_name: String,
    pub store: Store,
    #[schema(example = "1.4.0")]
    pub version_name: String,
    #[schema(example = 42)]
    pub build_number: i64,
    pub release_notes: Vec<ReleaseNote>,
    pub listing: Listing,
    /// What submitting needs, and what is still missing.
    pub checklist: Vec<ChecklistItem>,
    pub status: PublishStatus,
    /// 0 until first submitted; each submission after a rejection adds one.
    pub revision: i32,
    /// The store's answer (a rejection's reason) or the reviewer's last note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_note: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
    /// Waiting at the store for longer than the installation's alert time.
    pub overdue: bool,
    /// Every step, oldest first (in `GET …/{req_id}` only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<PublishEvent>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A new publish request (a `draft`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct CreatePublishRequest {
    pub store: Store,
    /// Dot-separated numbers, greater than the version live on that store.
    #[validate(custom(function = "valid_version_name"))]
    #[schema(pattern = r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$", example = "1.4.0")]
    pub version_name: String,
    /// Greater than the build live on that store.
    #[validate(range(min = 1, max = 2_100_000_000))]
    #[schema(minimum = 1, maximum = 2_100_000_000, example = 42)]
    pub build_number: i64,
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    #[serde(default)]
    pub release_notes: Vec<ReleaseNote>,
    #[validate(nested)]
    #[serde(default, deserialize_with = "crate::object")]
    pub listing: Listing,
}

/// Changes to a `draft` or `rejected` request; what is left out stays.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct UpdatePublishRequest {
    #[validate(custom(function = "valid_version_name"))]
    #[schema(pattern = r"^[0-9]{1,6}(\.[0-9]{1,6}){0,3}$")]
    pub version_name: Option<String>,
    #[validate(range(min = 1, max = 2_100_000_000))]
    #[schema(minimum = 1, maximum = 2_100_000_000)]
    pub build_number: Option<i64>,
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub release_notes: Option<Vec<ReleaseNote>>,
    /// Replaces the whole listing.
    #[validate(nested)]
    #[serde(default, deserialize_with = "crate::optional_object")]
    pub listing: Option<Listing>,
}

/// Submitting a request to its store.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct SubmitPublishRequest {
    /// The owner accepts the publishing terms (required: `true`).
    pub accept_terms: bool,
    /// Withdraw the request already waiting for this store and replace it with this one.
    #[serde(default)]
    pub replace: bool,
}

/// An administrator moves a request along: `submitted` → `in_review` → `published` /
/// `rejected` (`submitted` → `rejected` too). A rejection needs the store's reason in `note`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct ReviewPublishRequest {
    pub status: PublishStatus,
    #[validate(length(min = 1, max = 2000), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub note: Option<String>,
}

/// Withdrawing or discarding a request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema, Validate)]
pub struct CancelPublishRequest {
    #[validate(length(min = 1, max = 2000), custom(function = "rules::not_blank"))]
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: Option<String>,
}

fn valid_version_name(name: &str) -> Result<(), ValidationError> {
    let parts: Vec<&str> = name.split('.').collect();
    let valid = parts.len() <= 4
        && parts
            .iter()
            .all(|p| (1..=6).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new("version_name")
            .with_message("must be numbers separated by dots, like 1.4.0".into()))
    }
}

/// Compares dotted version names number by number (`1.10` > `1.9`; `1.0` = `1`).
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let numbers = |v: &str| -> Vec<u64> {
        let mut n: Vec<u64> = v.split('.').map(|p| p.parse().unwrap_or(0)).collect();
        while n.last() == Some(&0) {
            n.pop();
        }
        n
    };
    numbers(a).cmp(&numbers(b))
}

/// Filters of the publish requests list (the review queue).
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct PublishFilter {
    #[param(inline)]
    pub store: Option<Store>,
    #[param(inline)]
    pub status: Option<PublishStatus>,
    #[validate(custom(function = "rules::numeric_id"))]
    #[param(pattern = "^[1-9][0-9]{0,17}$")]
    pub app_id: Option<String>,
    /// Only requests waiting at the store for longer than the installation's alert time.
    pub overdue: Option<bool>,
    /// Only requests waiting at the store for at least this many hours.
    #[validate(range(min = 0, max = 100_000))]
    #[param(minimum = 0, maximum = 100_000)]
    pub waiting_hours: Option<i64>,
}

/// What is live and what is waiting on one store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StoreStatus {
    pub store: Store,
    /// The last published request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<PublishRequest>,
    /// The request submitted or in review.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<PublishRequest>,
    /// Hours the request in flight has waited since it was submitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_hours: Option<i64>,
}

/// An app's publishing at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AppPublishing {
    pub stores: Vec<StoreStatus>,
    /// Whether the app's subscription lets it submit (`active`, or `trialing` on a plan that
    /// allows publishing during the trial).
    pub can_submit: bool,
    /// Hours after which a waiting request raises an alert.
    pub alert_after_hours: i64,
}

/// An uploaded store asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Asset {
    #[schema(example = "1")]
    pub id: String,
    pub app_id: String,
    pub kind: AssetKind,
    /// Sniffed from the bytes: `image/png` or `image/jpeg`.
    pub content_type: String,
    pub size_bytes: i64,
    pub width: i32,
    pub height: i32,
    /// SHA-256 of the bytes, hex (files are stored by it).
    pub sha256: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// How an upload is described (the bytes are the request body).
#[derive(Debug, Clone, Serialize, Deserialize, IntoParams, Validate)]
#[into_params(parameter_in = Query)]
pub struct UploadAsset {
    #[param(inline)]
    pub kind: AssetKind,
    /// The file's name: its extension must match what the bytes are.
    #[validate(length(min = 1, max = 200))]
    #[param(min_length = 1, max_length = 200)]
    pub file_name: Option<String>,
}

#[cfg(test)]
mod tests;
