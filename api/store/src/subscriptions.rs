//! Subscriptions: one live per app, with the discount in force copied from its coupon.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::billing::{CouponDuration, SubscriptionFilter, SubscriptionStatus};

use super::page::{created_before, Paging};
use super::schema::subscriptions;
use super::stored::Stored;
use super::DbConn;
use crate::error::{StoreError, StoreResult};
use crate::scope::Scope;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = subscriptions)]
pub struct SubscriptionRow {
    pub id: i64,
    pub app_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub app_name: String,
    pub plan_id: i64,
    pub next_plan_id: Option<i64>,
    #[diesel(deserialize_as = Stored<SubscriptionStatus>)]
    pub status: SubscriptionStatus,
    pub billing_anchor: NaiveDateTime,
    pub current_period_start: NaiveDateTime,
    pub current_period_end: NaiveDateTime,
    pub trial_end: Option<NaiveDateTime>,
    pub cancel_at_period_end: bool,
    pub canceled_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub payment_method: Option<String>,
    pub coupon_id: Option<i64>,
    pub discount_code: Option<String>,
    pub discount_percent_off: Option<i32>,
    pub discount_amount_off: Option<i64>,
    pub discount_currency: Option<String>,
    /// Read with [`SubscriptionRow::discount_duration`].
    pub discount_duration: Option<String>,
    pub discount_start: Option<NaiveDateTime>,
    pub discount_end: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = subscriptions)]
pub struct NewSubscription {
    pub app_id: Option<i64>,
    pub owner_id: Option<i64>,
    pub app_name: String,
    pub plan_id: i64,
    pub status: &'static str,
    pub billing_anchor: NaiveDateTime,
    pub current_period_start: NaiveDateTime,
    pub current_period_end: NaiveDateTime,
    pub trial_end: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A change of a subscription's state; `None` fields stay as they are.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = subscriptions)]
pub struct SubscriptionChanges {
    pub status: Option<&'static str>,
    pub plan_id: Option<i64>,
    pub next_plan_id: Option<Option<i64>>,
    pub current_period_start: Option<NaiveDateTime>,
    pub current_period_end: Option<NaiveDateTime>,
    pub cancel_at_period_end: Option<bool>,
    pub canceled_at: Option<Option<NaiveDateTime>>,
    pub ended_at: Option<NaiveDateTime>,
    pub payment_method: Option<String>,
    pub discount_end: Option<Option<NaiveDateTime>>,
}

/// The discount terms copied from a coupon when it is redeemed.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = subscriptions, treat_none_as_null = true)]
pub struct DiscountTerms {
    pub coupon_id: Option<i64>,
    pub discount_code: Option<String>,
    pub discount_percent_off: Option<i32>,
    pub discount_amount_off: Option<i64>,
    pub discount_currency: Option<String>,
    pub discount_duration: Option<&'static str>,
    pub discount_start: Option<NaiveDateTime>,
    pub discount_end: Option<NaiveDateTime>,
}

type Filtered<'a> = subscriptions::BoxedQuery<'a, <DbConn as diesel::Connection>::Backend>;

crate::versioned!(SubscriptionRow, "subscription");

impl SubscriptionRow {
    /// How long the discount lasts (the column holds a `CouponDuration` when set).
    pub fn discount_duration(&self) -> Option<CouponDuration> {
        self.discount_duration
            .as_deref()
            .and_then(|d| d.parse().ok())
    }

    /// Within `scope` (its billed account), else 404.
    pub fn find(conn: &mut DbConn, scope: Scope, id: i64) -> StoreResult<Self> {
        let mut q = subscriptions::table
            .filter(subscriptions::id.eq(id))
            .into_boxed();
        if let Some(owners) = scope.account_ids() {
            q = q.filter(subscriptions::owner_id.assume_not_null().eq_any(owners));
        }
        q.select(Self::as_select())
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    /// By id, locked until the transaction ends on PostgreSQL (SQLite write transactions run one
    /// at a time): payments, coupons and renewals of one subscription never interleave.
    pub fn lock(conn: &mut DbConn, id: i64) -> StoreResult<Self> {
        macro_rules! one {
            () => {
                subscriptions::table
                    .filter(subscriptions::id.eq(id))
                    .select(Self::as_select())
            };
        }
        let row = match conn {
            DbConn::Postgres(pg) => one!().for_update().first(pg).optional()?,
            DbConn::Sqlite(sqlite) => one!().first(sqlite).optional()?,
        };
        row.ok_or(StoreError::NotFound)
    }

    /// The app's live subscription, if any.
    pub fn live_for_app(conn: &mut DbConn, app_id: i64) -> StoreResult<Option<Self>> {
        Ok(subscriptions::table
            .filter(subscriptions::app_id.eq(app_id))
            .filter(subscriptions::status.ne_all(["canceled", "incomplete_expired"]))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// Whether the app `app_id` (or any app of `owner`) has a paid subscription running
    /// (`active`, or `past_due` while its payment is retried).
    pub fn has_paid(
        conn: &mut DbConn,
        app_id: Option<i64>,
        owner: Option<i64>,
    ) -> StoreResult<bool> {
        let mut q = subscriptions::table
            .filter(subscriptions::status.eq_any(["active", "past_due"]))
            .into_boxed();
        if let Some(app) = app_id {
            q = q.filter(subscriptions::app_id.eq(app));
        }
        if let Some(owner) = owner {
            q = q.filter(subscriptions::owner_id.eq(owner));
        }
        Ok(q.count().get_result::<i64>(conn)? > 0)
    }

    pub fn insert(conn: &mut DbConn, new: &NewSubscription) -> StoreResult<Self> {
        let id: i64 = diesel::insert_into(subscriptions::table)
            .values(new)
            .returning(subscriptions::id)
            .get_result(conn)?;
        Self::find(conn, Scope::All, id)
    }

    pub fn update(
        conn: &mut DbConn,
        id: i64,
        changes: &SubscriptionChanges,
        now: NaiveDateTime,
    ) -> StoreResult<Self> {
        diesel::update(subscriptions::table.find(id))
            .set((
                changes,
                subscriptions::version.eq(subscriptions::version + 1),
                subscriptions::updated_at.eq(now),
            ))
            .execute(conn)?;
        Self::find(conn, Scope::All, id)
    }

    pub fn set_discount(
        conn: &mut DbConn,
        id: i64,
        terms: &DiscountTerms,
        now: NaiveDateTime,
    ) -> StoreResult<Self> {
        diesel::update(subscriptions::table.find(id))
            .set((
                terms,
                subscriptions::version.eq(subscriptions::version + 1),
                subscriptions::updated_at.eq(now),
            ))
            .execute(conn)?;
        Self::find(conn, Scope::All, id)
    }

    fn filtered(scope: Scope, filter: &SubscriptionFilter) -> Filtered<'static> {
        let mut q = subscriptions::table.into_boxed();
        if let Some(owners) = scope.account_ids() {
            q = q.filter(subscriptions::owner_id.assume_not_null().eq_any(owners));
        }
        if let Some(status) = filter.status {
            q = q.filter(subscriptions::status.eq(status.as_str()));
        }
        if let Some(app) = filter.app_id.as_deref().and_then(|a| a.parse::<i64>().ok()) {
            q = q.filter(subscriptions::app_id.eq(app));
        }
        if let Some(plan) = filter
            .plan_id
            .as_deref()
            .and_then(|p| p.parse::<i64>().ok())
        {
            q = q.filter(subscriptions::plan_id.eq(plan));
        }
        q
    }

    /// Newest first, and the total.
    pub fn list(
        conn: &mut DbConn,
        scope: Scope,
        filter: &SubscriptionFilter,
        paging: &Paging<(NaiveDateTime, i64)>,
    ) -> StoreResult<(Vec<Self>, i64)> {
        let total = Self::filtered(scope, filter)
            .count()
            .get_result::<i64>(conn)?;
        let mut q = Self::filtered(scope, filter);
        if let Some(after) = paging.after {
            q = q.filter(created_before("subscriptions", after));
        }
        let rows = q
            .order((subscriptions::created_at.desc(), subscriptions::id.desc()))
            .limit(paging.limit)
            .offset(paging.offset)
            .select(Self::as_select())
            .load(conn)?;
        Ok((rows, total))
    }

    pub fn key(&self) -> (NaiveDateTime, i64) {
        (self.created_at, self.id)
    }

    /// Claims the next running subscription (oldest period end first, after `after`) whose period
    /// has ended at `now`, locking it for the caller's transaction. On PostgreSQL `SKIP LOCKED`
    /// lets replicas take different rows; on SQLite the write transaction is exclusive. The
    /// status test is literal SQL so that it matches the partial index `subscriptions_renewal`
    /// (a bound parameter would not prove it).
    pub fn claim_ended(
        conn: &mut DbConn,
        now: NaiveDateTime,
        after: Option<(NaiveDateTime, i64)>,
    ) -> StoreResult<Option<Self>> {
        let running = diesel::dsl::sql::<diesel::sql_types::Bool>(
            "subscriptions.status IN ('trialing', 'active')",
        );
        Self::claim_next(conn, running, "current_period_end", now, after)
    }

    /// Claims the next `incomplete` subscription created at or before `before` (its first invoice
    /// unpaid too long), after `after` by `(created_at, id)`.
    pub fn claim_unpaid(
        conn: &mut DbConn,
        before: NaiveDateTime,
        after: Option<(NaiveDateTime, i64)>,
    ) -> StoreResult<Option<Self>> {
        let unpaid =
            diesel::dsl::sql::<diesel::sql_types::Bool>("subscriptions.status = 'incomplete'");
        Self::claim_next(conn, unpaid, "created_at", before, after)
    }

    fn claim_next(
        conn: &mut DbConn,
        state: diesel::expression::SqlLiteral<diesel::sql_types::Bool>,
        column: &'static str,
        until: NaiveDateTime,
        after: Option<(NaiveDateTime, i64)>,
    ) -> StoreResult<Option<Self>> {
        let time =
            diesel::dsl::sql::<diesel::sql_types::Timestamp>(&format!("subscriptions.{column}"));
        // Every time here is after 1970: the start of the walk.
        let after = after.unwrap_or((chrono::DateTime::UNIX_EPOCH.naive_utc(), 0));
        // A macro, not a value: the locking query is typed by the backend it runs on.
        macro_rules! next {
            () => {
                subscriptions::table
                    .filter(state.clone())
                    .filter(time.clone().le(until))
                    .filter(super::page::time_after("subscriptions", column, after))
                    .order((time.clone().asc(), subscriptions::id.asc()))
                    .limit(1)
                    .select(Self::as_select())
            };
        }
        Ok(match conn {
            DbConn::Postgres(pg) => next!().for_update().skip_locked().first(pg).optional()?,
            DbConn::Sqlite(sqlite) => next!().first(sqlite).optional()?,
        })
    }
}
