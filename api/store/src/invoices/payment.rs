//! Payments: the charges made for invoices, their refunds, and the provider's customer of each
//! account.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::billing::{Payment, PaymentFilter, PaymentStatus};

use super::super::page::{created_before, Paging};
use super::super::schema::{payments, provider_customers};
use super::super::stored::Stored;
use super::super::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = payments)]
pub struct PaymentRow {
    pub id: i64,
    pub invoice_id: i64,
    pub invoice_number: String,
    pub subscription_id: i64,
    pub app_id: Option<i64>,
    pub app_name: String,
    pub owner_id: Option<i64>,
    pub amount: i64,
    pub currency: String,
    #[diesel(deserialize_as = Stored<PaymentStatus>)]
    pub status: PaymentStatus,
    pub payment_method: String,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub provider: String,
    pub provider_reference: Option<String>,
    pub created_at: NaiveDateTime,
    pub settled_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = payments)]
pub struct NewPayment {
    pub invoice_id: i64,
    pub invoice_number: String,
    pub subscription_id: i64,
    pub app_id: Option<i64>,
    pub app_name: String,
    pub owner_id: Option<i64>,
    pub amount: i64,
    pub currency: String,
    pub status: &'static str,
    pub payment_method: String,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub provider: &'static str,
    pub provider_reference: Option<String>,
    pub created_at: NaiveDateTime,
}

pub(super) type PaymentQuery<'a> =
    payments::BoxedQuery<'a, <DbConn as diesel::Connection>::Backend>;

impl PaymentRow {
    pub fn insert(conn: &mut DbConn, new: &NewPayment) -> StoreResult<Self> {
        let id: i64 = diesel::insert_into(payments::table)
            .values(new)
            .returning(payments::id)
            .get_result(conn)?;
        Self::find(conn, Scope::All, id)
    }

    fn filtered(
        scope: Scope,
        subscription: Option<i64>,
        filter: &PaymentFilter,
    ) -> PaymentQuery<'static> {
        let mut q = payments::table.into_boxed();
        if let Some(owners) = scope.account_ids() {
            q = q.filter(payments::owner_id.assume_not_null().eq_any(owners));
        }
        if let Some(sub) = subscription {
            q = q.filter(payments::subscription_id.eq(sub));
        }
        if let Some(app) = filter.app_id.as_deref().and_then(|a| a.parse::<i64>().ok()) {
            q = q.filter(payments::app_id.eq(app));
        }
        if let Some(status) = filter.status {
            q = q.filter(payments::status.eq(status.as_str()));
        }
        if let Some(from) = filter.from {
            q = q.filter(payments::created_at.ge(super::super::micros(from.naive_utc())));
        }
        if let Some(to) = filter.to {
            q = q.filter(payments::created_at.lt(super::super::micros(to.naive_utc())));
        }
        q
    }

    /// The payment `id` within `scope`, else 404.
    pub fn find(conn: &mut DbConn, scope: Scope, id: i64) -> StoreResult<Self> {
        Self::filtered(scope, None, &PaymentFilter::default())
            .filter(payments::id.eq(id))
            .select(Self::as_select())
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    /// Newest first, and the total.
    pub fn list(
        conn: &mut DbConn,
        scope: Scope,
        subscription: Option<i64>,
        filter: &PaymentFilter,
        paging: &Paging<(NaiveDateTime, i64)>,
    ) -> StoreResult<(Vec<Self>, i64)> {
        let total = Self::filtered(scope, subscription, filter)
            .count()
            .get_result::<i64>(conn)?;
        Ok((
            Self::page(conn, scope, subscription, filter, paging)?,
            total,
        ))
    }

    /// One page without the count (the CSV export walks the list in chunks).
    pub fn page(
        conn: &mut DbConn,
        scope: Scope,
        subscription: Option<i64>,
        filter: &PaymentFilter,
        paging: &Paging<(NaiveDateTime, i64)>,
    ) -> StoreResult<Vec<Self>> {
        let mut q = Self::filtered(scope, subscription, filter);
        if let Some(after) = paging.after {
            q = q.filter(created_before("payments", after));
        }
        Ok(q.order((payments::created_at.desc(), payments::id.desc()))
            .limit(paging.limit)
            .offset(paging.offset)
            .select(Self::as_select())
            .load(conn)?)
    }

    pub fn key(&self) -> (NaiveDateTime, i64) {
        (self.created_at, self.id)
    }

    pub fn to_wire(&self) -> Payment {
        Payment {
            id: self.id.to_string(),
            subscription_id: self.subscription_id.to_string(),
            app_id: self.app_id.map(|a| a.to_string()),
            app_name: self.app_name.clone(),
            invoice_id: self.invoice_id.to_string(),
            invoice_number: self.invoice_number.clone(),
            amount: self.amount,
            currency: self.currency.clone(),
            status: self.status,
            payment_method: self.payment_method.clone(),
            failure_code: self.failure_code.clone(),
            failure_message: self.failure_message.clone(),
            created_at: super::super::utc(self.created_at),
            settled_at: self.settled_at.map(super::super::utc),
        }
    }

    /// The payment a provider knows by `reference` (its PaymentIntent id).
    pub fn by_reference(
        conn: &mut DbConn,
        provider: &str,
        reference: &str,
    ) -> StoreResult<Option<Self>> {
        Ok(payments::table
            .filter(payments::provider.eq(provider))
            .filter(payments::provider_reference.eq(reference))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// Whether a charge of `invoice` is waiting for the provider's answer.
    pub fn pending_for(conn: &mut DbConn, invoice_id: i64) -> StoreResult<bool> {
        Ok(diesel::select(diesel::dsl::exists(
            payments::table
                .filter(payments::invoice_id.eq(invoice_id))
                .filter(payments::status.eq(PaymentStatus::Pending.as_str())),
        ))
        .get_result(conn)?)
    }

    /// Settles a `pending` payment: `failure` is `(code, message)` when it failed.
    pub fn settle(
        conn: &mut DbConn,
        id: i64,
        failure: Option<(String, String)>,
        now: NaiveDateTime,
    ) -> StoreResult<Self> {
        let status = match failure {
            None => PaymentStatus::Succeeded,
            Some(_) => PaymentStatus::Failed,
        };
        let (code, message) = failure.unzip();
        diesel::update(payments::table.find(id))
            .set((
                payments::status.eq(status.as_str()),
                payments::failure_code.eq(code),
                payments::failure_message.eq(message),
                payments::settled_at.eq(now),
            ))
            .execute(conn)?;
        Self::find(conn, Scope::All, id)
    }
}

/// An account's customer record at a payment provider (Stripe's `cus_…`).
pub fn provider_customer(
    conn: &mut DbConn,
    account_id: i64,
    provider: &str,
) -> StoreResult<Option<String>> {
    Ok(provider_customers::table
        .find((account_id, provider))
        .select(provider_customers::reference)
        .first(conn)
        .optional()?)
}

pub fn save_provider_customer(
    conn: &mut DbConn,
    account_id: i64,
    provider: &str,
    reference: &str,
    now: NaiveDateTime,
) -> StoreResult<()> {
    diesel::insert_into(provider_customers::table)
        .values((
            provider_customers::account_id.eq(account_id),
            provider_customers::provider.eq(provider),
            provider_customers::reference.eq(reference),
            provider_customers::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
