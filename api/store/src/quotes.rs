//! Quote requests of Standard apps, their lines and the owner's responses.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::quotes::{QuoteCounts, QuoteFilter, QuoteLine, QuoteResponse, QuoteStatus, QuotedPrice};

use super::accounts::{escape_like, lower};
use super::page::{created_before, Paging};
use super::schema::{quote_lines, quote_requests, quote_response_lines, quote_responses};
use super::stored::Stored;
use super::DbConn;
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = quote_requests)]
pub struct QuoteRow {
    pub id: i64,
    pub app_id: i64,
    #[diesel(deserialize_as = Stored<QuoteStatus>)]
    pub status: QuoteStatus,
    pub message: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub mobile_user_id: Option<i64>,
    pub valid_until: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = quote_requests)]
pub struct NewQuote {
    pub app_id: i64,
    pub status: &'static str,
    pub message: Option<String>,
    pub contact_name: String,
    pub contact_email: String,
    pub contact_phone: Option<String>,
    pub mobile_user_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = quote_lines)]
pub struct QuoteLineRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub quote_id: i64,
    pub position: i32,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = quote_responses)]
pub struct ResponseRow {
    pub id: i64,
    pub quote_id: i64,
    pub currency: String,
    pub total: i64,
    pub message: Option<String>,
    pub valid_until: NaiveDateTime,
    pub responder_id: Option<i64>,
    pub responder_email: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = quote_responses)]
pub struct NewResponse {
    pub quote_id: i64,
    pub currency: String,
    pub total: i64,
    pub message: Option<String>,
    pub valid_until: NaiveDateTime,
    pub responder_id: Option<i64>,
    pub responder_email: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = quote_response_lines)]
pub struct PriceRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub response_id: i64,
    pub sku: String,
    pub unit_price: i64,
}

/// A response with its prices per line (empty for a total-only offer).
#[derive(Debug, Clone)]
pub struct Offer {
    pub response: ResponseRow,
    pub prices: Vec<PriceRow>,
}

type Filtered<'a> = quote_requests::BoxedQuery<'a, <DbConn as diesel::Connection>::Backend>;

/// Marks as `expired` every quoted request whose offer ran out at `now`: of one app, or of all
/// (the background job). One `UPDATE`, so several replicas may run it at once. The count.
pub fn expire(conn: &mut DbConn, app_id: Option<i64>, now: NaiveDateTime) -> StoreResult<usize> {
    let mut target = diesel::update(quote_requests::table)
        .filter(quote_requests::status.eq(QuoteStatus::Quoted.as_str()))
        .filter(quote_requests::valid_until.le(now))
        .into_boxed();
    if let Some(app_id) = app_id {
        target = target.filter(quote_requests::app_id.eq(app_id));
    }
    Ok(target
        .set((
            quote_requests::status.eq(QuoteStatus::Expired.as_str()),
            quote_requests::version.eq(quote_requests::version + 1),
            quote_requests::updated_at.eq(now),
        ))
        .execute(conn)?)
}

crate::versioned!(QuoteRow, "quote");

impl QuoteRow {
    /// The app's quote request with this id; another app's is a 404.
    pub fn find(conn: &mut DbConn, app_id: i64, id: i64) -> StoreResult<Self> {
        quote_requests::table
            .filter(quote_requests::app_id.eq(app_id))
            .filter(quote_requests::id.eq(id))
            .select(Self::as_select())
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    pub fn insert(
        conn: &mut DbConn,
        new: &NewQuote,
        lines: Vec<QuoteLineRow>,
    ) -> StoreResult<Self> {
        let id: i64 = diesel::insert_into(quote_requests::table)
            .values(new)
            .returning(quote_requests::id)
            .get_result(conn)?;
        let lines: Vec<QuoteLineRow> = lines
            .into_iter()
            .map(|line| QuoteLineRow {
                quote_id: id,
                ..line
            })
            .collect();
        crate::insert_many!(conn, quote_lines::table, &lines)?;
        Self::find(conn, new.app_id, id)
    }

    /// Moves the request to `status`; with an offer's `valid_until` when it is quoted.
    pub fn set_status(
        conn: &mut DbConn,
        current: &Self,
        status: QuoteStatus,
        valid_until: Option<NaiveDateTime>,
        now: NaiveDateTime,
    ) -> StoreResult<Self> {
        diesel::update(quote_requests::table.find(current.id))
            .set((
                quote_requests::status.eq(status.as_str()),
                quote_requests::valid_until.eq(valid_until.or(current.valid_until)),
                quote_requests::version.eq(quote_requests::version + 1),
                quote_requests::updated_at.eq(now),
            ))
            .execute(conn)?;
        Self::find(conn, current.app_id, current.id)
    }

    /// Records an offer with its prices per line.
    pub fn add_response(
        conn: &mut DbConn,
        new: &NewResponse,
        prices: Vec<PriceRow>,
    ) -> StoreResult<()> {
        let id: i64 = diesel::insert_into(quote_responses::table)
            .values(new)
            .returning(quote_responses::id)
            .get_result(conn)?;
        let prices: Vec<PriceRow> = prices
            .into_iter()
            .map(|p| PriceRow {
                response_id: id,
                ..p
            })
            .collect();
        crate::insert_many!(conn, quote_response_lines::table, &prices)?;
        Ok(())
    }

    /// The lines of each of `ids`, in their order.
    pub fn lines_of(
        conn: &mut DbConn,
        ids: &[i64],
    ) -> StoreResult<HashMap<i64, Vec<QuoteLineRow>>> {
        let rows: Vec<QuoteLineRow> = quote_lines::table
            .filter(quote_lines::quote_id.eq_any(ids))
            .order((quote_lines::quote_id, quote_lines::position))
            .select(QuoteLineRow::as_select())
            .load(conn)?;
        let mut out: HashMap<i64, Vec<QuoteLineRow>> = HashMap::new();
        for row in rows {
            out.entry(row.quote_id).or_default().push(row);
        }
        Ok(out)
    }

    /// Every response of each of `ids`, oldest first, with their prices.
    pub fn offers_of(conn: &mut DbConn, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<Offer>>> {
        let responses: Vec<ResponseRow> = quote_responses::table
            .filter(quote_responses::quote_id.eq_any(ids))
            .order(quote_responses::id.asc())
            .select(ResponseRow::as_select())
            .load(conn)?;
        let response_ids: Vec<i64> = responses.iter().map(|r| r.id).collect();
        let mut prices: HashMap<i64, Vec<PriceRow>> = HashMap::new();
        for row in quote_response_lines::table
            .filter(quote_response_lines::response_id.eq_any(&response_ids))
            .order(quote_response_lines::id.asc())
            .select(PriceRow::as_select())
            .load::<PriceRow>(conn)?
        {
            prices.entry(row.response_id).or_default().push(row);
        }
        let mut out: HashMap<i64, Vec<Offer>> = HashMap::new();
        for response in responses {
            let prices = prices.remove(&response.id).unwrap_or_default();
            out.entry(response.quote_id)
                .or_default()
                .push(Offer { response, prices });
        }
        Ok(out)
    }

    fn filtered(app_id: i64, filter: &QuoteFilter) -> Filtered<'static> {
        let mut query = quote_requests::table
            .filter(quote_requests::app_id.eq(app_id))
            .into_boxed();
        if let Some(status) = filter.status {
            query = query.filter(quote_requests::status.eq(status.as_str()));
        }
        if let Some(from) = filter.from {
            query = query.filter(quote_requests::created_at.ge(super::micros(from.naive_utc())));
        }
        if let Some(to) = filter.to {
            query = query.filter(quote_requests::created_at.lt(super::micros(to.naive_utc())));
        }
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
            let by_sku = quote_lines::table
                .filter(lower(quote_lines::sku).like(pattern.clone()).escape('\\'))
                .select(quote_lines::quote_id);
            query = query.filter(
                lower(quote_requests::contact_name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(quote_requests::contact_email)
                        .like(pattern.clone())
                        .escape('\\'))
                    .or(lower(quote_requests::message.assume_not_null())
                        .like(pattern)
                        .escape('\\'))
                    .or(quote_requests::id.eq_any(by_sku)),
            );
        }
        query
    }

    /// One page of the inbox, newest first, and the total.
    pub fn list(
        conn: &mut DbConn,
        app_id: i64,
        filter: &QuoteFilter,
        paging: &Paging<(NaiveDateTime, i64)>,
    ) -> StoreResult<(Vec<Self>, i64)> {
        let total = Self::filtered(app_id, filter)
            .count()
            .get_result::<i64>(conn)?;
        let mut query = Self::filtered(app_id, filter);
        if let Some(after) = paging.after {
            query = query.filter(created_before("quote_requests", after));
        }
        let rows = query
            .order((quote_requests::created_at.desc(), quote_requests::id.desc()))
            .select(Self::as_select())
            .limit(paging.limit)
            .offset(paging.offset)
            .load(conn)?;
        Ok((rows, total))
    }

    /// How many of the app's requests are in each status.
    pub fn counts(conn: &mut DbConn, app_id: i64) -> StoreResult<QuoteCounts> {
        let rows: Vec<(String, i64)> = quote_requests::table
            .filter(quote_requests::app_id.eq(app_id))
            .group_by(quote_requests::status)
            .select((quote_requests::status, diesel::dsl::count_star()))
            .load(conn)?;
        let mut counts = QuoteCounts::default();
        for (status, n) in rows {
            match status.parse::<QuoteStatus>() {
                Ok(QuoteStatus::New) => counts.new = n,
                Ok(QuoteStatus::Quoted) => counts.quoted = n,
                Ok(QuoteStatus::Accepted) => counts.accepted = n,
                Ok(QuoteStatus::Declined) => counts.declined = n,
                Ok(QuoteStatus::Expired) => counts.expired = n,
                Err(e) => return Err(StoreError::corrupt(e)),
            }
        }
        Ok(counts)
    }

    pub fn key(&self) -> (NaiveDateTime, i64) {
        (self.created_at, self.id)
    }
}

impl QuoteLineRow {
    pub fn to_wire(&self) -> QuoteLine {
        QuoteLine {
            sku: self.sku.clone(),
            name: self.name.clone(),
            quantity: self.quantity,
        }
    }
}

impl Offer {
    /// The wire form; `with_responder` adds who answered (the back office, not the app).
    pub fn to_wire(&self, with_responder: bool) -> QuoteResponse {
        let r = &self.response;
        QuoteResponse {
            id: r.id.to_string(),
            currency: r.currency.clone(),
            lines: self
                .prices
                .iter()
                .map(|p| QuotedPrice {
                    sku: p.sku.clone(),
                    unit_price: p.unit_price,
                })
                .collect(),
            total: r.total,
            message: r.message.clone(),
            valid_until: super::utc(r.valid_until),
            responded_by: if with_responder {
                r.responder_email.clone()
            } else {
                None
            },
            created_at: super::utc(r.created_at),
        }
    }
}
