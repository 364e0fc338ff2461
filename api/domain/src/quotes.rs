//! Quote requests: what the app sends, the owner's offers, the app's answer, and expiry (a job,
//! and on every read, so that a reader never sees an offer that has run out as still open).

use std::time::Duration;
use types::ErrorCode;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use chrono::NaiveDateTime;
use types::email::Email;
use types::quotes::{CreateQuoteRequest, CreateQuoteResponse, QuoteRequest, QuoteStatus};
use types::webhooks::WebhookEventType as Event;

use crate::clock::Clock;
use crate::db::apps::AppRow;
use crate::db::audit::Actor;
use crate::db::orders::OrderRow;
use crate::db::quotes::{self, NewQuote, NewResponse, PriceRow, QuoteLineRow, QuoteRow};
use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult};

/// How often the expiry job looks for offers that ran out.
const EXPIRY_PERIOD: Duration = Duration::from_secs(60);

/// Stores a quote request the app sends, and tells the owner's webhooks.
pub fn take_request(
    conn: &mut DbConn,
    app: &AppRow,
    request: &CreateQuoteRequest,
    now: NaiveDateTime,
) -> AppResult<QuoteRow> {
    crate::orders::require_standard(app)?;
    let mobile_user_id = crate::orders::signed_in_buyer(
        conn,
        app.id,
        request.mobile_user_id.as_deref(),
        request.mobile_user_ref.as_deref(),
    )?
    .map(|user| user.id);
    let trimmed = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let lines = request
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| QuoteLineRow {
            id: 0,
            quote_id: 0,
            position: i32::try_from(i).unwrap_or(i32::MAX),
            sku: l.sku.trim().to_owned(),
            name: l.name.trim().to_owned(),
            quantity: l.quantity,
        })
        .collect();
    let quote = QuoteRow::insert(
        conn,
        &NewQuote {
            app_id: app.id,
            status: QuoteStatus::New.as_str(),
            message: trimmed(&request.message),
            contact_name: request.contact_name.trim().to_owned(),
            contact_email: Email::parse(&request.contact_email).into_string(),
            contact_phone: trimmed(&request.contact_phone),
            mobile_user_id,
            created_at: now,
            updated_at: now,
        },
        lines,
    )?;
    emit(conn, app.owner_id, Event::QuoteRequestCreated, &quote)?;
    Ok(quote)
}

/// The app's quote request, with its status as of `now` (an offer that ran out is `expired`).
pub fn find(conn: &mut DbConn, app_id: i64, id: i64, now: NaiveDateTime) -> AppResult<QuoteRow> {
    quotes::expire(conn, Some(app_id), now)?;
    Ok(QuoteRow::find(conn, app_id, id)?)
}

/// The header in which the device that sent a quote request shows its access key.
pub const QUOTE_KEY_HEADER: &str = "X-Quote-Key";

/// The secret that lets the device (or shopper) that sent quote request `quote_id` read and
/// answer it through the SDK: app keys ship inside every copy of the app, so they prove nothing
/// about which shopper is asking. An HMAC of the request's identity under the server's secret:
/// nothing to store, the same on every replica and in an idempotent replay of the create.
pub fn access_key(secret: &str, app_id: i64, quote_id: i64) -> String {
    URL_SAFE_NO_PAD.encode(key_mac(secret, app_id, quote_id).finalize().into_bytes())
}

/// 404 (as an unknown id) unless `presented` is the access key of quote request `quote_id`;
/// compared in constant time.
pub fn check_access_key(
    secret: &str,
    app_id: i64,
    quote_id: i64,
    presented: Option<&str>,
) -> AppResult<()> {
    let presented = presented
        .and_then(|key| URL_SAFE_NO_PAD.decode(key.trim()).ok())
        .ok_or_else(AppError::not_found)?;
    key_mac(secret, app_id, quote_id)
        .verify_slice(&presented)
        .map_err(|_| AppError::not_found())
}

fn key_mac(secret: &str, app_id: i64, quote_id: i64) -> Hmac<Sha256> {
    crate::auth::secrets::signer(secret, &format!("quote-request:{app_id}:{quote_id}"))
}

/// Who reads quote requests, and how much of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The back office's list: no history of responses.
    List,
    /// The back office's detail: every response, with who answered.
    Detail,
    /// The app: every response, without who answered.
    App,
}

/// The wire form of `rows`, each with its lines, its offer and its order: a few queries for the
/// whole page.
pub fn to_wire(conn: &mut DbConn, rows: &[QuoteRow], view: View) -> AppResult<Vec<QuoteRequest>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut lines = QuoteRow::lines_of(conn, &ids)?;
    let mut offers = QuoteRow::offers_of(conn, &ids)?;
    let ordered = OrderRow::ids_for_quotes(conn, &ids)?;
    rows.iter()
        .map(|row| {
            let offers = offers.remove(&row.id).unwrap_or_default();
            let order_id = ordered.get(&row.id);
            let responses: Vec<_> = offers
                .iter()
                .map(|o| o.to_wire(view == View::Detail))
                .collect();
            Ok(QuoteRequest {
                id: row.id.to_string(),
                app_id: row.app_id.to_string(),
                status: row.status,
                lines: lines
                    .remove(&row.id)
                    .unwrap_or_default()
                    .iter()
                    .map(QuoteLineRow::to_wire)
                    .collect(),
                message: row.message.clone(),
                contact_name: row.contact_name.clone(),
                contact_email: row.contact_email.clone(),
                contact_phone: row.contact_phone.clone(),
                mobile_user_id: row.mobile_user_id.map(|id| id.to_string()),
                offer: responses.last().cloned(),
                order_id: order_id.map(|id| id.to_string()),
                created_at: crate::db::utc(row.created_at),
                updated_at: crate::db::utc(row.updated_at),
                responses: (view != View::List).then_some(responses),
                access_key: None,
            })
        })
        .collect()
}

/// 409 for an answer the request's status does not allow.
fn not_now(quote: &QuoteRow, what: &str) -> AppError {
    if quote.status == QuoteStatus::Expired {
        AppError::new(
            ErrorCode::QuoteExpired,
            "The offer of this quote request has expired.",
        )
    } else {
        AppError::new(
            ErrorCode::IllegalTransition,
            format!("A quote request that is {} cannot be {what}.", quote.status),
        )
    }
}

/// The owner's offer: a price for every requested line, or a total (or both, agreeing).
pub fn respond(
    conn: &mut DbConn,
    quote: &QuoteRow,
    offer: &CreateQuoteResponse,
    actor: &Actor,
    now: NaiveDateTime,
) -> AppResult<QuoteRow> {
    if !matches!(quote.status, QuoteStatus::New | QuoteStatus::Quoted) {
        return Err(not_now(quote, "answered"));
    }
    let valid_until = crate::db::micros(offer.valid_until.naive_utc());
    if valid_until <= now {
        return Err(AppError::invalid_field(
            "valid_until",
            "must be in the future",
        ));
    }
    let lines = QuoteRow::lines_of(conn, &[quote.id])?
        .remove(&quote.id)
        .unwrap_or_default();
    let prices = offer.lines.clone().unwrap_or_default();
    let total = if prices.is_empty() {
        offer
            .total
            .ok_or_else(|| AppError::invalid_field("total", "is required when no line is priced"))?
    } else {
        let mut priced: Vec<&str> = prices.iter().map(|p| p.sku.as_str()).collect();
        let mut asked: Vec<&str> = lines.iter().map(|l| l.sku.as_str()).collect();
        priced.sort_unstable();
        asked.sort_unstable();
        if priced != asked {
            return Err(AppError::invalid_field(
                "lines",
                format!("must price each requested sku once: {}", asked.join(", ")),
            ));
        }
        let sum = lines
            .iter()
            .map(|l| {
                let price = prices
                    .iter()
                    .find(|p| p.sku == l.sku)
                    .map_or(0, |p| p.unit_price);
                l.quantity.checked_mul(price)
            })
            .try_fold(0_i64, |sum, line| sum.checked_add(line?))
            .ok_or_else(|| AppError::invalid_field("lines", "add up to more than can be stored"))?;
        if offer.total.is_some_and(|t| t != sum) {
            return Err(AppError::invalid_field(
                "total",
                format!("must equal the priced lines ({sum}) when both are given"),
            ));
        }
        sum
    };
    QuoteRow::add_response(
        conn,
        &NewResponse {
            quote_id: quote.id,
            currency: offer.currency.clone(),
            total,
            message: offer
                .message
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty())
                .map(str::to_owned),
            valid_until,
            responder_id: actor.account_id,
            responder_email: actor.email().map(str::to_owned),
            created_at: now,
        },
        prices
            .iter()
            .map(|p| PriceRow {
                id: 0,
                response_id: 0,
                sku: p.sku.clone(),
                unit_price: p.unit_price,
            })
            .collect(),
    )?;
    Ok(QuoteRow::set_status(
        conn,
        quote,
        QuoteStatus::Quoted,
        Some(valid_until),
        now,
    )?)
}

/// The owner declines a request (new or quoted).
pub fn decline_by_owner(
    conn: &mut DbConn,
    quote: &QuoteRow,
    now: NaiveDateTime,
) -> AppResult<QuoteRow> {
    if !matches!(quote.status, QuoteStatus::New | QuoteStatus::Quoted) {
        return Err(not_now(quote, "declined"));
    }
    Ok(QuoteRow::set_status(
        conn,
        quote,
        QuoteStatus::Declined,
        None,
        now,
    )?)
}

/// The app's answer to the offer in force: `accept` it, or decline the request; the owner's
/// webhooks hear of it.
pub fn answer(
    conn: &mut DbConn,
    (app, quote): (&AppRow, &QuoteRow),
    accept: bool,
    now: NaiveDateTime,
) -> AppResult<QuoteRow> {
    let status = match (quote.status, accept) {
        (QuoteStatus::Quoted, true) => QuoteStatus::Accepted,
        (QuoteStatus::New | QuoteStatus::Quoted, false) => QuoteStatus::Declined,
        _ => return Err(not_now(quote, if accept { "accepted" } else { "declined" })),
    };
    let answered = QuoteRow::set_status(conn, quote, status, None, now)?;
    emit(conn, app.owner_id, Event::QuoteRequestUpdated, &answered)?;
    Ok(answered)
}

/// The owner's `change` to the quote request `quote_id` of `app` (an offer, a decline), as of
/// `now`: audited as `action`, announced to webhooks; the request as it is after.
pub fn change_by_owner(
    conn: &mut DbConn,
    (actor, action): (&Actor, &str),
    (app, quote_id): (&AppRow, i64),
    change: impl FnOnce(&mut DbConn, &QuoteRow, &Actor) -> AppResult<QuoteRow>,
    now: NaiveDateTime,
) -> AppResult<QuoteRow> {
    let quote = find(conn, app.id, quote_id, now)?;
    let quote = change(conn, &quote, actor)?;
    actor.record(conn, action, "quote_request", Some(quote.id.to_string()))?;
    emit(conn, app.owner_id, Event::QuoteRequestUpdated, &quote)?;
    Ok(quote)
}

/// Tells the webhooks of the app's `owner` that `quote` was made or moved.
fn emit(conn: &mut DbConn, owner: i64, event: Event, quote: &QuoteRow) -> AppResult<()> {
    crate::webhooks::emit_with(conn, owner, event, |conn| {
        Ok(to_wire(conn, std::slice::from_ref(quote), View::Detail)?.pop())
    })
}

/// Marks run-out offers as expired every minute, for as long as the server runs. Safe with
/// several replicas: it is one idempotent `UPDATE`.
pub async fn run_expiry(db: Db, clock: Clock) {
    let mut ticker = tokio::time::interval(EXPIRY_PERIOD);
    loop {
        ticker.tick().await;
        let now = clock.now();
        match db
            .run(move |conn| Ok(quotes::expire(conn, None, now)?))
            .await
        {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "quote offers expired"),
            Err(e) => tracing::warn!(error = %e, "quote expiry failed; will retry"),
        }
    }
}
