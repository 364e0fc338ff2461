//! The SDK's side of a request: the app its key names (the rules are `domain::sdk`).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use types::ErrorCode;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

pub use domain::sdk::*;

use crate::db::apps::AppRow;
use crate::db::gate;
use crate::error::{ApiError, AppError, AppResult};
use crate::state::AppState;

/// The app whose key came with the request, after its rate limit. The key is looked up by the
/// request's gate (`db::gate`) on the request's own connection before the handler's first query;
/// read the app with [`SdkApp::row`] inside `Db::run`.
#[derive(Clone)]
pub struct SdkApp(Arc<OnceLock<AppRow>>);

impl SdkApp {
    /// The app, once the request's gate checked the key (in any `Db::run` of the request).
    pub fn row(&self) -> AppResult<&AppRow> {
        self.0.get().ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "the app key is read before the gate checked it"
            ))
        })
    }
}

impl FromRequest for SdkApp {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = web::Data::<AppState>::extract(&req)
                .await
                .map_err(|_| AppError::internal(anyhow::anyhow!("app state missing")))?;
            let key = req
                .headers()
                .get(APP_KEY_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= 100)
                .ok_or_else(invalid_app_key)?
                .to_owned();
            // Counted before the lookup, so that guessing keys is limited too.
            state.sdk_by_key.hit(&key).map_err(AppError::rate_limited)?;
            let app = Arc::new(OnceLock::new());
            let filled = app.clone();
            gate::close(Arc::new(move |conn| {
                let row = AppRow::find_by_key(conn, &key)?.ok_or_else(invalid_app_key)?;
                let _ = filled.set(row);
                Ok(())
            }));
            Ok(Self(app))
        })
    }
}

fn invalid_app_key() -> AppError {
    AppError::new(
        ErrorCode::InvalidAppKey,
        "Send the app's current key in `X-App-Key`.",
    )
}
