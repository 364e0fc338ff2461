//! The SPA's hashed assets (`/assets/<name>-<hash>.<ext>`, and the wasm modules of one build in
//! `/assets/<build hash>/`, which import each other by relative names), sent precompressed: `cargo xtask web`
//! writes `<file>.br` and `<file>.gz` beside each file at the highest levels, and a request gets
//! the smallest one its `Accept-Encoding` allows (else the file itself, which the `Compress`
//! middleware may still compress on the fly).

use actix_files::NamedFile;
use actix_web::http::header::{self, ContentEncoding};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::{ApiError, ApiResult, AppError};
use crate::routes::fallback::WebDist;

/// The precompressed forms, smallest first.
const ENCODINGS: [(&str, &str, ContentEncoding); 2] = [
    ("br", "br", ContentEncoding::Brotli),
    ("gzip", "gz", ContentEncoding::Gzip),
];

pub async fn asset(
    req: HttpRequest,
    name: web::Path<String>,
    dist: web::Data<WebDist>,
) -> ApiResult<HttpResponse> {
    let name = name.into_inner();
    // A file, or a file in a build's directory: nothing hidden, nothing above `assets/`.
    let parts: Vec<&str> = name.split('/').collect();
    if parts.len() > 2
        || parts
            .iter()
            .any(|p| p.is_empty() || p.starts_with('.') || p.contains('\\'))
    {
        return Err(ApiError(AppError::not_found()));
    }
    let path = dist.0.join("assets").join(&name);
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    let mime = actix_files::file_extension_to_mime(extension);
    let accepted = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    for (token, suffix, encoding) in ENCODINGS {
        if !accepts(accepted, token) {
            continue;
        }
        let compressed = dist.0.join("assets").join(format!("{name}.{suffix}"));
        if let Some(file) = open_file(&compressed).await {
            let mut response = file
                .set_content_type(mime.clone())
                .set_content_encoding(encoding)
                .disable_content_disposition()
                .into_response(&req);
            vary(&mut response);
            return Ok(response);
        }
    }
    let file = open_file(&path).await.ok_or_else(AppError::not_found)?;
    let mut response = file.disable_content_disposition().into_response(&req);
    vary(&mut response);
    Ok(response)
}

/// The file at `path`, if there is one (a build's directory is not a file to send).
async fn open_file(path: &std::path::Path) -> Option<NamedFile> {
    NamedFile::open_async(path)
        .await
        .ok()
        .filter(|file| file.metadata().is_file())
}

fn vary(response: &mut HttpResponse) {
    response.headers_mut().insert(
        header::VARY,
        header::HeaderValue::from_static("accept-encoding"),
    );
}

/// Whether an `Accept-Encoding` value accepts `token` (named, or through `*`, and not with
/// `q=0`).
fn accepts(header: &str, token: &str) -> bool {
    let mut named = None;
    let mut wildcard = None;
    for item in header.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let coding = parts.next().unwrap_or("");
        let q = parts
            .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if coding.eq_ignore_ascii_case(token) {
            named = Some(q > 0.0);
        } else if coding == "*" {
            wildcard = Some(q > 0.0);
        }
    }
    named.or(wildcard).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::accepts;

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip;q=0.8, br;q=1.0", "gzip"));
        assert!(!accepts("gzip, br;q=0", "br"));
        assert!(accepts("*", "br"));
        assert!(!accepts("*, br;q=0", "br"));
        assert!(!accepts("identity", "gzip"));
        assert!(!accepts("", "gzip"));
    }
}
