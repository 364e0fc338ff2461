//! Files in and out: CSV text, downloads, object URLs for images, uploads, and the clipboard.

use super::*;

/// A non-JSON body (a CSV export), with the same session handling as `call`.
pub async fn get_text(path: &str) -> Result<String, ApiError> {
    exchange("GET", path, None, &[]).await.map(|raw| raw.text)
}

/// A binary answer of the API (an invoice PDF, an uploaded image), with the same session
/// handling as `call`.
pub(super) async fn get_blob(path: &str) -> Result<web_sys::Blob, ApiError> {
    let mut response = fetch("GET", path, None, &[]).await?;
    if response.status() == 401 {
        if refresh_session().await {
            response = fetch("GET", path, None, &[]).await?;
        } else {
            session_expired();
        }
    }
    if !response.ok() {
        let raw = Raw {
            status: response.status(),
            text: text_of(&response).await?,
            etag: None,
        };
        return Err(problem_of(&raw));
    }
    JsFuture::from(response.blob().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(js_error)
}

/// Downloads a binary file the API serves at `path` (an invoice PDF) under `file_name`.
pub async fn download_file(path: &str, file_name: &str) -> Result<(), ApiError> {
    let blob = get_blob(path).await?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(js_error)?;
    click_link(&url, file_name);
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// A `blob:` address of a binary the API serves (an image to show); revoke it when done.
pub async fn object_url(path: &str) -> Result<String, ApiError> {
    let blob = get_blob(path).await?;
    web_sys::Url::create_object_url_with_blob(&blob).map_err(js_error)
}

/// Sends a file as the request body (an upload) and reads the JSON answer.
pub async fn upload<T: DeserializeOwned>(path: &str, file: &web_sys::File) -> Result<T, ApiError> {
    let content_type = file.type_();
    let body: &JsValue = file.as_ref();
    let send_file = || fetch_body("POST", path, Some((body, content_type.as_str())), &[]);
    let mut response = send_file().await?;
    if response.status() == 401 {
        if refresh_session().await {
            response = send_file().await?;
        } else {
            session_expired();
        }
    }
    let raw = Raw {
        status: response.status(),
        text: text_of(&response).await?,
        etag: None,
    };
    if !(200..300).contains(&raw.status) {
        return Err(problem_of(&raw));
    }
    serde_json::from_str(&raw.text)
        .map_err(|e| ApiError::network(format!("unexpected response: {e}")))
}

pub(super) fn click_link(href: &str, file_name: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(link) = document.create_element("a") else {
        return;
    };
    let _ = link.set_attribute("href", href);
    let _ = link.set_attribute("download", file_name);
    if let Ok(link) = link.dyn_into::<web_sys::HtmlElement>() {
        link.click();
    }
}

/// Hands `text` to the browser as a file download named `file_name`.
pub fn download(file_name: &str, mime: &str, text: &str) {
    click_link(
        &format!("data:{mime};charset=utf-8,{}", encode(text)),
        file_name,
    );
}

/// Copies `text` to the clipboard.
pub async fn copy_to_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    JsFuture::from(window.navigator().clipboard().write_text(text))
        .await
        .is_ok()
}

/// Percent-encodes the text of a `data:` URL.
fn encode(value: &str) -> String {
    js_sys::encode_uri_component(value)
        .as_string()
        .unwrap_or_default()
}
