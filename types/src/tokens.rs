use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

crate::string_enum! {
    /// What a personal API token may do: `read` (only `GET`; anything else answers 403
    /// `insufficient_scope`) or `write` (whatever its account may do).
    pub enum TokenScope {
        Read = "read",
        Write = "write",
    }
}

/// A personal API token, for integrators. Its secret is shown only once, at creation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApiToken {
    #[schema(example = "7")]
    pub id: String,
    /// What the token is for.
    #[schema(example = "ERP sync")]
    pub name: String,
    /// The first characters of the secret, to recognise it.
    #[schema(example = "bo_pat_Xy12")]
    pub prefix: String,
    pub scope: TokenScope,
    /// The apps it is limited to; `null`: every app the account reaches.
    pub app_ids: Option<Vec<String>>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it stops working; `null` for never.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A new personal API token.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Validate)]
pub struct CreateApiToken {
    #[validate(
        length(min = 1, max = 100),
        custom(function = "crate::rules::not_blank")
    )]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// Days until it expires (1 to 3650); absent for never.
    #[validate(range(min = 1, max = 3650))]
    #[serde(default, deserialize_with = "crate::whole_number")]
    #[schema(minimum = 1, maximum = 3650)]
    pub expires_in_days: Option<u32>,
    pub scope: TokenScope,
    /// Limits the token to these apps (1 to 50 of the account's): it reaches only their routes
    /// under `apps/{id}`, the app list (showing them alone) and `me`; anything else answers 403
    /// `app_limited_token`, another app 404. Absent: every app the account reaches.
    #[validate(length(min = 1, max = 50))]
    #[schema(min_items = 1, max_items = 50, example = json!(["12"]))]
    pub app_ids: Option<Vec<String>>,
}

/// The created token with its secret; store the secret now, it cannot be shown again.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedApiToken {
    pub token: ApiToken,
    /// Send as `Authorization: Bearer <secret>`.
    pub secret: String,
}

/// A list of API tokens.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApiTokenList {
    pub items: Vec<ApiToken>,
}
