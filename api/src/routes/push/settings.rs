//! Each app's push settings: the FCM service account and APNs key (kept sealed).

use actix_web::{get, put, web, HttpRequest, HttpResponse};
use types::push::{PushSettings, UpdatePushSettings};

use crate::auth::AuthUser;
use crate::db::parse_id;
use crate::db::push::SettingsRow;
use crate::error::{ApiError, ApiResult, AppError};
use crate::push::gateway::{self, ServiceAccount};
use crate::routes::{check_if_match, versioned};
use crate::routes::{if_match_of, Valid};
use crate::state::AppState;

/// The app's push settings: which providers are configured (never their keys), quiet hours,
/// the daily cap, order status pushes.
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The app's id")),
    responses(
        (status = 200, description = "The settings", body = PushSettings,
            headers(("ETag" = String, description = "Version, for `If-Match`"))),
        (status = 404, description = "No such app of yours"),
    )
)]
#[get("/apps/{id}/push-settings")]
pub(super) async fn get_push_settings(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let row = state
        .db
        .run(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            Ok(SettingsRow::of(conn, app.id)?)
        })
        .await?;
    let wire = state.push.settings_wire(&row);
    Ok(versioned(HttpResponse::Ok(), &row, &wire))
}

/// Replaces the app's push settings. Credentials: absent keeps them, `null` removes them, a
/// value replaces them (checked, then stored encrypted).
#[utoipa::path(
    tag = "push",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("If-Match" = Option<String>, Header, description = "The ETag read; 412 when it changed since"),
    ),
    request_body = UpdatePushSettings,
    responses(
        (status = 200, description = "The settings", body = PushSettings,
            headers(("ETag" = String, description = "New version"))),
        (status = 404, description = "No such app of yours"),
        (status = 412, description = "`stale_version`"),
        (status = 422, description = "`validation_failed`: a field; a key file that does not read"),
    )
)]
#[put("/apps/{id}/push-settings")]
pub(super) async fn update_push_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
    body: Valid<UpdatePushSettings>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let if_match = if_match_of(&req);
    let body = body.0;
    // Keys are checked before the transaction (parsing an RSA key takes a moment).
    let fcm = match &body.fcm_service_account {
        Some(Some(json)) => Some(Some((
            ServiceAccount::parse(json)
                .map_err(|m| AppError::invalid_field("fcm_service_account", m))?,
            json.clone(),
        ))),
        Some(None) => Some(None),
        None => None,
    };
    if let Some(Some(apns)) = &body.apns {
        gateway::check_apns_key(&apns.private_key)
            .map_err(|m| AppError::invalid_field("apns.private_key", m))?;
    }
    let quiet = match &body.quiet_hours {
        Some(q) => {
            let start = types::push::parse_time_of_day(&q.start);
            let end = types::push::parse_time_of_day(&q.end);
            if start == end {
                return Err(ApiError(AppError::invalid_field(
                    "quiet_hours.end",
                    "must differ from the start",
                )));
            }
            start.zip(end)
        }
        None => None,
    };
    let push = state.push.clone();
    let now = state.clock.now();
    let row = state
        .db
        .transaction(move |conn| {
            let (app, _) = user.scope().find_app(conn, id)?;
            let mut row = SettingsRow::of(conn, app.id)?;
            check_if_match(if_match.as_deref(), &row)?;
            match fcm {
                Some(Some((account, json))) => {
                    row.fcm_credentials = Some(push.sealer.seal(app.id, &json));
                    row.fcm_project_id = Some(account.project_id);
                    row.fcm_client_email = Some(account.client_email);
                    row.fcm_key_id = Some(account.private_key_id);
                }
                Some(None) => {
                    row.fcm_credentials = None;
                    row.fcm_project_id = None;
                    row.fcm_client_email = None;
                    row.fcm_key_id = None;
                }
                None => {}
            }
            match body.apns {
                Some(Some(apns)) => {
                    row.apns_credentials = Some(push.sealer.seal(app.id, &apns.private_key));
                    row.apns_key_id = Some(apns.key_id);
                    row.apns_team_id = Some(apns.team_id);
                    row.apns_topic = Some(apns.topic);
                    row.apns_environment = Some(apns.environment.as_str().to_owned());
                }
                Some(None) => {
                    row.apns_credentials = None;
                    row.apns_key_id = None;
                    row.apns_team_id = None;
                    row.apns_topic = None;
                    row.apns_environment = None;
                }
                None => {}
            }
            row.quiet_start = quiet.map(|q| q.0);
            row.quiet_end = quiet.map(|q| q.1);
            row.daily_cap = body.daily_cap;
            let order = body.order_status;
            row.order_status_enabled = order.as_ref().is_some_and(|o| o.enabled);
            row.order_status_template = order.map(|o| o.template.trim().to_owned());
            row.updated_at = now;
            let row = row.save(conn)?;
            user.actor().record(
                conn,
                "push_settings.update",
                "app",
                Some(app.id.to_string()),
            )?;
            Ok(row)
        })
        .await?;
    let wire = state.push.settings_wire(&row);
    Ok(versioned(HttpResponse::Ok(), &row, &wire))
}
