//! Store assets of an app (`/apps/{id}/assets…`): icons and screenshots uploaded as the raw
//! request body, checked from their bytes, stored content-addressed, served only to accounts
//! that may see the app.

use crate::routes::Register;
use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use types::publishing::{Asset, UploadAsset};
use types::ErrorCode;

use crate::auth::AuthUser;
use crate::db::parse_id;
use crate::db::publishing::AssetRow;
use crate::error::{ApiError, ApiResult, AppError};
use crate::idempotency::{self, KeyOwner, Outcome};
use crate::publishing::{self, SCREENSHOT_MAX_BYTES};
use crate::routes::valid_query;
use crate::state::AppState;
use sha2::{Digest, Sha256};

pub fn configure(cfg: &mut impl Register) {
    cfg.service(upload_asset)
        .service(list_assets)
        .service(asset_content);
}

/// Reads the body, refusing it (413) as soon as it passes `limit` bytes.
async fn read_body(mut payload: web::Payload, limit: usize) -> ApiResult<Vec<u8>> {
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| {
            AppError::new(
                ErrorCode::InvalidBody,
                "The upload could not be read to its end.",
            )
        })?;
        if bytes.len() + chunk.len() > limit {
            return Err(ApiError(AppError::new(
                ErrorCode::PayloadTooLarge,
                format!("An upload may weigh {} MB at most.", limit / (1024 * 1024)),
            )));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Uploads an icon (a square PNG, 512–1024 px, 1 MB at most) or a screenshot (PNG or JPEG,
/// sides of 320–3840 px, 8 MB at most) as the request body. What the file is comes from its
/// bytes: a `file_name` or `Content-Type` saying otherwise is 422 `file_type_mismatch`.
#[utoipa::path(
    tag = "publishing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id"), UploadAsset),
    request_body(content = Vec<u8>, content_type = "image/png", description = "The image's bytes (PNG or JPEG)"),
    responses(
        (status = 201, description = "Stored", body = Asset),
        (status = 404, description = "No such app of yours"),
        (status = 413, description = "`payload_too_large`: over 8 MB"),
        (status = 422, description = "`unsupported_file_type`, `file_type_mismatch`, `file_too_large`, `invalid_dimensions` (reported on the field 'file'); `validation_failed`"),
    )
)]
#[post("/apps/{id}/assets")]
async fn upload_asset(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    query: web::Query<UploadAsset>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let query = valid_query(query)?;
    let bytes = read_body(payload, SCREENSHOT_MAX_BYTES).await?;
    let declared = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let sniffed = publishing::sniff(
        &bytes,
        query.kind,
        query.file_name.as_deref(),
        declared.as_deref(),
    )?;
    let now = state.clock.now();
    let files = state.assets.clone();
    // A retry is the same upload: the same description and the same bytes.
    let request = (query.clone(), hex::encode(Sha256::digest(&bytes)));
    let owner = KeyOwner::Account(user.id());
    idempotency::run(&state, &req, owner, request, move |conn, _| {
        let (app, _) = user.scope().find_app(conn, id)?;
        let asset = publishing::upload(
            conn,
            files.as_ref(),
            &app,
            (query.kind, query.file_name),
            &bytes,
            sniffed,
            now,
        )?;
        user.actor()
            .record(conn, "asset.uploaded", "asset", Some(asset.id.to_string()))?;
        let location = format!("/api/v1/apps/{id}/assets/{}/content", asset.id);
        Outcome::created(&publishing::asset_to_wire(&asset), location)
    })
    .await
}

/// The app's uploaded assets, newest first (at most 500).
#[utoipa::path(
    tag = "publishing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id")),
    responses(
        (status = 200, description = "The assets", body = Vec<Asset>),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}/assets")]
async fn list_assets(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let rows = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            Ok(AssetRow::list(conn, app.id)?)
        })
        .await?;
    let wire: Vec<Asset> = rows.iter().map(publishing::asset_to_wire).collect();
    Ok(HttpResponse::Ok().json(wire))
}

/// The asset's bytes, with the type sniffed at upload.
#[utoipa::path(
    tag = "publishing",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("asset_id" = String, Path, description = "The asset's id"),
    ),
    responses(
        (status = 200, description = "The image", content_type = "image/*", body = Vec<u8>),
        (status = 404, description = "No such asset in an app of yours"),
    )
)]
#[get("/apps/{id}/assets/{asset_id}/content")]
async fn asset_content(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (id, asset_id) = (parse_id(&path.0)?, parse_id(&path.1)?);
    let asset = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            Ok(AssetRow::find(conn, app.id, asset_id)?)
        })
        .await?;
    let files = state.assets.clone();
    let sha = asset.sha256.clone();
    let bytes = web::block(move || files.get(&sha))
        .await
        .map_err(AppError::internal)?
        .map_err(AppError::internal)?;
    // Shown as an image, never run: a download name, and a policy that forbids scripts and
    // sandboxes the file should a browser open it as a page.
    let name = format!(
        "{}-{}.{}",
        asset.kind,
        asset.id,
        if asset.content_type == "image/png" {
            "png"
        } else {
            "jpg"
        }
    );
    Ok(HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}\""),
        ))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; sandbox",
        ))
        .insert_header((header::CACHE_CONTROL, "private, max-age=86400, immutable"))
        .insert_header((header::ETAG, format!("\"{}\"", asset.sha256)))
        .body(bytes))
}
