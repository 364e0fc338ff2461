//! Invoices, their lines, their yearly numbering, and the payments made against them. Neither
//! invoices nor payments are ever deleted.

mod payment;

pub use payment::*;

use chrono::{Datelike, NaiveDateTime};
use diesel::prelude::*;
use types::billing::{InvoiceStatus, InvoiceSummary};

use super::schema::{invoice_counters, invoice_lines, invoices};
use super::stored::Stored;
use super::DbConn;
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invoices)]
pub struct InvoiceRow {
    pub id: i64,
    pub subscription_id: i64,
    pub app_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub number: Option<String>,
    #[diesel(deserialize_as = Stored<InvoiceStatus>)]
    pub status: InvoiceStatus,
    pub currency: String,
    pub period_start: NaiveDateTime,
    pub period_end: NaiveDateTime,
    pub subtotal: i64,
    pub discount: i64,
    pub discount_code: Option<String>,
    pub tax: i64,
    pub total: i64,
    pub amount_paid: i64,
    pub reverse_charge: bool,
    pub customer_name: String,
    pub customer_email: String,
    pub customer_address: Option<String>,
    pub customer_country: Option<String>,
    pub customer_vat_id: Option<String>,
    pub seller_name: String,
    pub seller_address: String,
    pub seller_vat_id: Option<String>,
    pub attempt_count: i32,
    pub next_payment_attempt: Option<NaiveDateTime>,
    pub issued_at: Option<NaiveDateTime>,
    pub paid_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = invoices)]
pub struct NewInvoice {
    pub subscription_id: i64,
    pub app_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub status: &'static str,
    pub currency: String,
    pub period_start: NaiveDateTime,
    pub period_end: NaiveDateTime,
    pub subtotal: i64,
    pub discount: i64,
    pub discount_code: Option<String>,
    pub tax: i64,
    pub total: i64,
    pub reverse_charge: bool,
    pub customer_name: String,
    pub customer_email: String,
    pub customer_address: Option<String>,
    pub customer_country: Option<String>,
    pub customer_vat_id: Option<String>,
    pub seller_name: String,
    pub seller_address: String,
    pub seller_vat_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = invoice_lines)]
pub struct InvoiceLineRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub invoice_id: i64,
    pub description: String,
    pub quantity: i64,
    pub unit_price: i64,
    pub amount: i64,
    /// Basis points: 2000 is 20 %.
    pub vat_rate: i32,
    pub period_start: NaiveDateTime,
    pub period_end: NaiveDateTime,
}

/// A change of an invoice's collection state; `None` fields stay as they are.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = invoices)]
pub struct InvoiceChanges {
    pub status: Option<&'static str>,
    pub amount_paid: Option<i64>,
    pub attempt_count: Option<i32>,
    pub next_payment_attempt: Option<Option<NaiveDateTime>>,
    pub paid_at: Option<NaiveDateTime>,
}

impl InvoiceRow {
    pub fn find(conn: &mut DbConn, id: i64) -> StoreResult<Self> {
        invoices::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    /// Stores a draft with its lines.
    pub fn insert(
        conn: &mut DbConn,
        new: &NewInvoice,
        lines: Vec<InvoiceLineRow>,
    ) -> StoreResult<Self> {
        let id: i64 = diesel::insert_into(invoices::table)
            .values(new)
            .returning(invoices::id)
            .get_result(conn)?;
        let lines: Vec<InvoiceLineRow> = lines
            .into_iter()
            .map(|l| InvoiceLineRow {
                invoice_id: id,
                ..l
            })
            .collect();
        crate::insert_many!(conn, invoice_lines::table, &lines)?;
        Self::find(conn, id)
    }

    /// Finalises a draft: gives it the next number of `now`'s year and opens it (or marks it
    /// paid when nothing is due). The counter row is updated in the caller's transaction, so
    /// concurrent finalisations queue on it and a rolled-back number is given again: no gap, no
    /// duplicate.
    pub fn finalise(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> StoreResult<Self> {
        let number = next_number(conn, now.year())?;
        let draft = Self::find(conn, id)?;
        let (status, paid_at) = if draft.total == 0 {
            (InvoiceStatus::Paid, Some(now))
        } else {
            (InvoiceStatus::Open, None)
        };
        diesel::update(invoices::table.find(id))
            .set((
                invoices::number.eq(number),
                invoices::status.eq(status.as_str()),
                invoices::issued_at.eq(now),
                invoices::paid_at.eq(paid_at),
                invoices::updated_at.eq(now),
            ))
            .execute(conn)?;
        Self::find(conn, id)
    }

    pub fn update(
        conn: &mut DbConn,
        id: i64,
        changes: &InvoiceChanges,
        now: NaiveDateTime,
    ) -> StoreResult<Self> {
        diesel::update(invoices::table.find(id))
            .set((changes, invoices::updated_at.eq(now)))
            .execute(conn)?;
        Self::find(conn, id)
    }

    /// The subscription's oldest open invoice.
    pub fn open_for(conn: &mut DbConn, subscription_id: i64) -> StoreResult<Option<Self>> {
        Ok(Self::open_of(conn, &[subscription_id])?.remove(&subscription_id))
    }

    /// The oldest open invoice of each of `subscription_ids` that has one: one query for a page.
    pub fn open_of(
        conn: &mut DbConn,
        subscription_ids: &[i64],
    ) -> StoreResult<std::collections::HashMap<i64, Self>> {
        let rows: Vec<Self> = invoices::table
            .filter(invoices::subscription_id.eq_any(subscription_ids))
            .filter(invoices::status.eq(InvoiceStatus::Open.as_str()))
            .order(invoices::id.desc())
            .select(Self::as_select())
            .load(conn)?;
        // Newest first, so the oldest of each subscription is inserted last and stays.
        Ok(rows.into_iter().map(|i| (i.subscription_id, i)).collect())
    }

    /// Voids every open invoice of the subscription (it was canceled now or never paid).
    pub fn void_open(
        conn: &mut DbConn,
        subscription_id: i64,
        now: NaiveDateTime,
    ) -> StoreResult<()> {
        diesel::update(
            invoices::table
                .filter(invoices::subscription_id.eq(subscription_id))
                .filter(invoices::status.eq(InvoiceStatus::Open.as_str())),
        )
        .set((
            invoices::status.eq(InvoiceStatus::Void.as_str()),
            invoices::next_payment_attempt.eq(None::<NaiveDateTime>),
            invoices::updated_at.eq(now),
        ))
        .execute(conn)?;
        Ok(())
    }

    /// The next open invoice (by next attempt, after `after`) whose collection attempt is due:
    /// `(subscription, invoice, next attempt)`. The status test is literal SQL, to match the
    /// partial index `invoices_collection`.
    pub fn next_due(
        conn: &mut DbConn,
        now: NaiveDateTime,
        after: Option<(NaiveDateTime, i64)>,
    ) -> StoreResult<Option<(i64, i64, NaiveDateTime)>> {
        let after = after.unwrap_or((chrono::DateTime::UNIX_EPOCH.naive_utc(), 0));
        Ok(invoices::table
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                "invoices.status = 'open'",
            ))
            .filter(invoices::next_payment_attempt.le(now))
            .filter(super::page::time_after(
                "invoices",
                "next_payment_attempt",
                after,
            ))
            .order((invoices::next_payment_attempt.asc(), invoices::id.asc()))
            .select((
                invoices::subscription_id,
                invoices::id,
                invoices::next_payment_attempt.assume_not_null(),
            ))
            .first(conn)
            .optional()?)
    }

    pub fn lines(conn: &mut DbConn, id: i64) -> StoreResult<Vec<InvoiceLineRow>> {
        Ok(invoice_lines::table
            .filter(invoice_lines::invoice_id.eq(id))
            .order(invoice_lines::id.asc())
            .select(InvoiceLineRow::as_select())
            .load(conn)?)
    }

    pub fn summary(&self) -> InvoiceSummary {
        InvoiceSummary {
            id: self.id.to_string(),
            number: self.number.clone(),
            status: self.status,
            total: self.total,
            amount_due: match self.status {
                InvoiceStatus::Draft | InvoiceStatus::Open => self.total - self.amount_paid,
                _ => 0,
            },
            currency: self.currency.clone(),
            period_start: super::utc(self.period_start),
            period_end: super::utc(self.period_end),
            issued_at: self.issued_at.map(super::utc),
            next_payment_attempt: self.next_payment_attempt.map(super::utc),
        }
    }
}

/// The next invoice number of `year`: `YYYY-NNNNNN`. One upsert that returns the new count.
fn next_number(conn: &mut DbConn, year: i32) -> StoreResult<String> {
    // A macro, not a value: the upsert is typed by the backend it runs on.
    macro_rules! take {
        () => {
            diesel::insert_into(invoice_counters::table)
                .values((
                    invoice_counters::year.eq(year),
                    invoice_counters::last_number.eq(1_i64),
                ))
                .on_conflict(invoice_counters::year)
                .do_update()
                .set(invoice_counters::last_number.eq(invoice_counters::last_number + 1))
                .returning(invoice_counters::last_number)
        };
    }
    let n: i64 = match conn {
        DbConn::Postgres(pg) => take!().get_result(pg)?,
        DbConn::Sqlite(sqlite) => take!().get_result(sqlite)?,
    };
    Ok(format!("{year}-{n:06}"))
}
