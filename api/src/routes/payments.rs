//! "Payment Overview": the payments within reach, each with its invoice as a PDF, and the list
//! as CSV. Payments and invoices are never deleted (there is no DELETE: 405).

use crate::routes::Register;
use actix_web::http::header;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDateTime;
use types::billing::{Payment, PaymentFilter};
use types::ErrorCode;
use types::{Page, PageQuery};

use crate::auth::AuthUser;
use crate::billing::provider::WebhookError;
use crate::billing::{self, pdf};
use crate::db::invoices::{InvoiceRow, PaymentRow};
use crate::db::page::Paging;
use crate::db::{parse_id, utc, write_transaction};
use crate::error::{ApiError, ApiResult, AppError};
use crate::routes::{csv, valid_query};
use crate::state::AppState;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(list_payments)
        .service(export_payments)
        .service(get_payment)
        .service(payment_invoice)
        .service(stripe_webhook);
}

/// The payments within reach (a customer's, a partner's and its customers', all for
/// administrators), newest first, with filters. Page by `cursor` for any depth.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(PageQuery, PaymentFilter),
    responses((status = 200, description = "One page of payments", body = Page<Payment>))
)]
#[get("/payments")]
async fn list_payments(
    state: web::Data<AppState>,
    user: AuthUser,
    page: web::Query<PageQuery>,
    filter: web::Query<PaymentFilter>,
) -> ApiResult<HttpResponse> {
    let filter = valid_query(filter)?;
    let paging = Paging::<(NaiveDateTime, i64)>::new(&valid_query(page)?)?;
    let (rows, total) = state
        .db
        .run(move |conn| {
            Ok(PaymentRow::list(
                conn,
                user.scope(),
                None,
                &filter,
                &paging,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(paging.answer(rows, total, PaymentRow::key, PaymentRow::to_wire)))
}

/// The payments matching the filters as CSV (UTF-8, a header row, newest first, amounts in
/// minor units), streamed: any number of payments.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(PaymentFilter),
    responses(
        (status = 200, description = "CSV: id, created_at, status, amount, currency, invoice_number, app_id, app_name, subscription_id, payment_method, failure_code", content_type = "text/csv", body = String),
    )
)]
#[get("/payments/export")]
async fn export_payments(
    state: web::Data<AppState>,
    user: AuthUser,
    filter: web::Query<PaymentFilter>,
) -> ApiResult<HttpResponse> {
    let filter = valid_query(filter)?;
    let scope = user.scope();
    let header = [
        "id",
        "created_at",
        "status",
        "amount",
        "currency",
        "invoice_number",
        "app_id",
        "app_name",
        "subscription_id",
        "payment_method",
        "failure_code",
    ];
    Ok(csv::stream(
        state.db.clone(),
        "payments.csv",
        &header,
        move |conn, after| {
            let chunk = Paging::chunk(after, csv::CHUNK);
            let rows = PaymentRow::page(conn, scope, None, &filter, &chunk)?;
            let records = rows
                .iter()
                .map(|p| {
                    vec![
                        p.id.to_string(),
                        utc(p.created_at).to_rfc3339(),
                        p.status.as_str().to_owned(),
                        p.amount.to_string(),
                        p.currency.clone(),
                        p.invoice_number.clone(),
                        p.app_id.map(|a| a.to_string()).unwrap_or_default(),
                        p.app_name.clone(),
                        p.subscription_id.to_string(),
                        p.payment_method.clone(),
                        p.failure_code.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            Ok((records, csv::next_key(&rows, PaymentRow::key)))
        },
    )?)
}

/// One payment.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The payment's id")),
    responses(
        (status = 200, description = "The payment", body = Payment),
        (status = 404, description = "No such payment of yours"),
    )
)]
#[get("/payments/{id}")]
async fn get_payment(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    let payment = state
        .db
        .run(move |conn| Ok(PaymentRow::find(conn, user.scope(), id)?))
        .await?;
    Ok(HttpResponse::Ok().json(payment.to_wire()))
}

/// The invoice the payment was for, as a PDF (A4): seller and buyer with their VAT ids, number,
/// dates, lines with VAT rates, the discount, totals per rate, and the reverse-charge note when
/// it applies.
#[utoipa::path(
    tag = "billing",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The payment's id")),
    responses(
        (status = 200, description = "The invoice", content_type = "application/pdf", body = Vec<u8>),
        (status = 404, description = "No such payment of yours"),
    )
)]
#[get("/payments/{id}/invoice")]
async fn payment_invoice(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = parse_id(&path)?;
    // Drawn on the blocking pool with the reads, not on an HTTP worker.
    let (name, bytes) = state
        .db
        .run(move |conn| {
            let payment = PaymentRow::find(conn, user.scope(), id)?;
            let invoice = InvoiceRow::find(conn, payment.invoice_id)?;
            let lines = InvoiceRow::lines(conn, invoice.id)?;
            Ok((
                format!("invoice-{}.pdf", payment.invoice_number),
                pdf::render(&invoice, &lines),
            ))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/pdf")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes))
}

/// Stripe's webhook endpoint (with `PAYMENT_PROVIDER=stripe`): settles payments that were
/// `pending` when made (`payment_intent.succeeded`, `payment_intent.payment_failed`); other event
/// types are acknowledged and ignored. The `Stripe-Signature` header must sign the raw body with
/// the endpoint's secret (`STRIPE_WEBHOOK_SECRET`) within five minutes of the server's clock.
/// Deliveries repeated or out of order change nothing twice.
#[utoipa::path(
    tag = "billing",
    params(
        ("Stripe-Signature" = String, Header, description = "`t=<unix time>,v1=<hex HMAC-SHA256 of \"t.body\">`, as Stripe sends it"),
    ),
    request_body(content = Object, content_type = "application/json", description = "A Stripe event"),
    responses(
        (status = 204, description = "Received"),
        (status = 400, description = "`invalid_signature`: missing, stale or not matching the body; `invalid_event`: not a Stripe event"),
        (status = 404, description = "This installation does not take payments through Stripe"),
    )
)]
#[post("/webhooks/stripe")]
async fn stripe_webhook(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Bytes,
) -> ApiResult<HttpResponse> {
    let signature = req
        .headers()
        .get("Stripe-Signature")
        .and_then(|v| v.to_str().ok());
    if signature.is_none() {
        return Err(ApiError(AppError::new(
            ErrorCode::InvalidSignature,
            "The Stripe-Signature header is missing.",
        )));
    }
    let now = state.clock.now();
    let settlement = state
        .billing
        .provider
        .read_webhook(signature, &body, now.and_utc().timestamp())
        .map_err(|e| match e {
            WebhookError::NotConfigured => AppError::not_found(),
            WebhookError::BadSignature(why) => AppError::new(ErrorCode::InvalidSignature, why),
            WebhookError::Malformed => AppError::new(ErrorCode::InvalidEvent, e.to_string()),
        })?;
    if let Some(settlement) = settlement {
        let billing = state.billing.clone();
        state
            .db
            .run(move |conn| {
                write_transaction(conn, |conn| {
                    billing::settle(conn, &billing, &settlement, now)
                })
            })
            .await?;
    }
    Ok(HttpResponse::NoContent().finish())
}
