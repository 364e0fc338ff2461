//! Uploaded store assets: judged by their bytes (type, size, dimensions), stored by content.

use chrono::NaiveDateTime;
use sha2::{Digest, Sha256};
use types::publishing::AssetKind;
use types::ErrorCode;

use super::storage::AssetStore;
use crate::db::apps::AppRow;
use crate::db::publishing::{AssetRow, NewAsset};
use crate::db::{utc, DbConn};
use crate::error::{AppError, AppResult};

/// Largest icon and screenshot files.
pub const ICON_MAX_BYTES: usize = 1024 * 1024;
pub const SCREENSHOT_MAX_BYTES: usize = 8 * 1024 * 1024;

/// What an upload's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub content_type: &'static str,
    pub width: i32,
    pub height: i32,
}

fn file_error(code: ErrorCode, detail: String) -> AppError {
    AppError::new(code, detail).on_field("file")
}

/// Checks an upload from its bytes, never trusting its name or declared type: a PNG or JPEG of
/// the size and dimensions the stores take, whose name and `Content-Type` (when given) say
/// what it really is.
pub fn sniff(
    bytes: &[u8],
    kind: AssetKind,
    file_name: Option<&str>,
    declared: Option<&str>,
) -> AppResult<Sniffed> {
    let content_type = match imagesize::image_type(bytes) {
        Ok(imagesize::ImageType::Png) => "image/png",
        Ok(imagesize::ImageType::Jpeg) => "image/jpeg",
        _ => {
            return Err(file_error(
                ErrorCode::UnsupportedFileType,
                "The file must be a PNG or JPEG image.".into(),
            ))
        }
    };
    let extension = file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase());
    let named = match extension.as_deref() {
        Some("png") => Some("image/png"),
        Some("jpg" | "jpeg") => Some("image/jpeg"),
        Some(_) => Some("other"),
        None => None,
    };
    let declared = declared.filter(|d| d.starts_with("image/"));
    if named.is_some_and(|n| n != content_type) || declared.is_some_and(|d| d != content_type) {
        return Err(file_error(
            ErrorCode::FileTypeMismatch,
            format!("The file's bytes are {content_type}, which its name or type does not say."),
        ));
    }
    let limit = match kind {
        AssetKind::Icon => ICON_MAX_BYTES,
        AssetKind::Screenshot => SCREENSHOT_MAX_BYTES,
    };
    if bytes.len() > limit {
        return Err(file_error(
            ErrorCode::FileTooLarge,
            format!(
                "A {} may weigh {} MB at most.",
                kind.as_str(),
                limit / (1024 * 1024)
            ),
        ));
    }
    let size = imagesize::blob_size(bytes).map_err(|_| {
        file_error(
            ErrorCode::UnsupportedFileType,
            "The image cannot be read.".into(),
        )
    })?;
    let (width, height) = (
        i32::try_from(size.width).unwrap_or(i32::MAX),
        i32::try_from(size.height).unwrap_or(i32::MAX),
    );
    let fits = match kind {
        AssetKind::Icon => {
            content_type == "image/png" && width == height && (512..=1024).contains(&width)
        }
        AssetKind::Screenshot => (320..=3840).contains(&width) && (320..=3840).contains(&height),
    };
    if !fits {
        return Err(file_error(
            ErrorCode::InvalidDimensions,
            match kind {
                AssetKind::Icon => format!(
                    "An icon is a square PNG of 512 to 1024 pixels; this is a {width}×{height} {content_type}."
                ),
                AssetKind::Screenshot => format!(
                    "A screenshot's sides are 320 to 3840 pixels; this one is {width}×{height}."
                ),
            },
        ));
    }
    decode(bytes, content_type)?;
    Ok(Sniffed {
        content_type,
        width,
        height,
    })
}

/// Most memory one upload's pixels may take when decoded (a 3840 × 3840 RGBA screenshot is
/// 59 MB): a small file that claims or inflates to more is a decompression bomb.
const DECODE_ALLOCATION: u64 = 64 * 1024 * 1024;

/// Decodes every pixel under limits, so that what is kept is a whole, honest image: a truncated
/// file, a decompression bomb, or bytes hidden after the image's end (HTML after a PNG's `IEND`,
/// say) are refused.
fn decode(bytes: &[u8], content_type: &str) -> AppResult<()> {
    let unreadable = || {
        file_error(
            ErrorCode::UnsupportedFileType,
            "The image cannot be read: it is damaged or incomplete.".into(),
        )
    };
    let format = match content_type {
        "image/png" => image::ImageFormat::Png,
        _ => image::ImageFormat::Jpeg,
    };
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(3840);
    limits.max_image_height = Some(3840);
    limits.max_alloc = Some(DECODE_ALLOCATION);
    let mut reader = image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    reader.limits(limits);
    reader.decode().map_err(|_| unreadable())?;
    let ends_where_it_should = match format {
        // The IEND chunk: length 0, type, CRC.
        image::ImageFormat::Png => {
            bytes.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82])
        }
        // End of image marker.
        _ => bytes.ends_with(&[0xFF, 0xD9]),
    };
    if !ends_where_it_should {
        return Err(file_error(
            ErrorCode::UnsupportedFileType,
            "The file holds more than the image: nothing may follow its end.".into(),
        ));
    }
    Ok(())
}

/// Stores an upload and records it as the app's asset.
pub fn upload(
    conn: &mut DbConn,
    store: &dyn AssetStore,
    app: &AppRow,
    (kind, file_name): (AssetKind, Option<String>),
    bytes: &[u8],
    sniffed: Sniffed,
    now: NaiveDateTime,
) -> AppResult<AssetRow> {
    let sha256 = hex::encode(Sha256::digest(bytes));
    store.put(&sha256, bytes).map_err(AppError::internal)?;
    Ok(AssetRow::insert(
        conn,
        &NewAsset {
            app_id: app.id,
            kind: kind.as_str(),
            sha256,
            content_type: sniffed.content_type,
            size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
            width: sniffed.width,
            height: sniffed.height,
            file_name,
            created_at: now,
        },
    )?)
}

pub fn asset_to_wire(row: &AssetRow) -> types::publishing::Asset {
    types::publishing::Asset {
        id: row.id.to_string(),
        app_id: row.app_id.to_string(),
        kind: row.kind,
        content_type: row.content_type.clone(),
        size_bytes: row.size_bytes,
        width: row.width,
        height: row.height,
        sha256: row.sha256.clone(),
        file_name: row.file_name.clone(),
        created_at: utc(row.created_at),
    }
}
