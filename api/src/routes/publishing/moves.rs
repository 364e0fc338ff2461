//! Submitting a request to its store, and withdrawing or discarding it.

use super::*;

/// Submits the request to its store (a rejected one as its next revision). Needs the complete
/// listing (422 `listing_incomplete` names what is missing), a version newer than the live one,
/// the terms accepted and the app's subscription `active` (409 `subscription_required`). A
/// request already waiting for the store is 409 `request_in_flight`, unless `replace` withdraws
/// it in the same step.
#[utoipa::path(
    tag = "publishing",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("req_id" = String, Path, description = "The request's id"),
    ),
    request_body = SubmitPublishRequest,
    responses(
        (status = 200, description = "Submitted", body = PublishRequest,
            headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such request in an app of yours"),
        (status = 409, description = "`subscription_required`: subscribe or pay in Billing first; `request_in_flight`: another request waits for this store; `illegal_transition`"),
        (status = 422, description = "`listing_incomplete`: `errors` names what is missing; `validation_failed` (terms not accepted, an older version)"),
    )
)]
#[post("/apps/{id}/publish-requests/{req_id}/submit")]
pub(super) async fn submit_request(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Valid<SubmitPublishRequest>,
) -> ApiResult<HttpResponse> {
    act(
        &state,
        user,
        (&path.0, &path.1),
        move |conn, user, row, now| {
            if !body.0.accept_terms {
                return Err(AppError::invalid_field(
                    "accept_terms",
                    "must be true: the publishing terms must be accepted",
                ));
            }
            publishing::submit(conn, row, body.0.replace, &user.actor(), now)
        },
    )
    .await
}

/// Withdraws a request waiting at the store, or discards a draft or a rejected one.
#[utoipa::path(
    tag = "publishing",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The app's id"),
        ("req_id" = String, Path, description = "The request's id"),
    ),
    request_body = CancelPublishRequest,
    responses(
        (status = 200, description = "Canceled", body = PublishRequest,
            headers(("ETag" = String, description = "The new version"))),
        (status = 404, description = "No such request in an app of yours"),
        (status = 409, description = "`illegal_transition`: published and canceled requests stay as they are"),
    )
)]
#[post("/apps/{id}/publish-requests/{req_id}/cancel")]
pub(super) async fn cancel_request(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(String, String)>,
    body: Valid<CancelPublishRequest>,
) -> ApiResult<HttpResponse> {
    act(
        &state,
        user,
        (&path.0, &path.1),
        move |conn, user, row, now| {
            publishing::cancel(conn, row, body.0.reason, &user.actor(), now)
        },
    )
    .await
}
