//! Plans and coupons: the price list and the discounts redeemed against it.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::apps::AppEdition;
use types::billing::{BillingInterval, Coupon, CouponDuration, Plan, PlanFilter};

use super::page::Paging;
use super::schema::{coupon_plans, coupons, plans, subscriptions};
use super::stored::Stored;
use super::DbConn;
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = plans)]
pub struct PlanRow {
    pub id: i64,
    pub name: String,
    #[diesel(deserialize_as = Stored<AppEdition>)]
    pub edition: AppEdition,
    #[diesel(deserialize_as = Stored<BillingInterval>)]
    pub billing_interval: BillingInterval,
    pub price: i64,
    pub currency: String,
    pub trial_days: i32,
    pub active: bool,
    pub publish_in_trial: bool,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = plans)]
pub struct NewPlan<'a> {
    pub name: &'a str,
    pub edition: &'static str,
    pub billing_interval: &'static str,
    pub price: i64,
    pub currency: &'a str,
    pub trial_days: i32,
    pub active: bool,
    pub publish_in_trial: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = plans)]
pub struct PlanChanges<'a> {
    pub name: Option<&'a str>,
    pub edition: Option<&'static str>,
    pub billing_interval: Option<&'static str>,
    pub price: Option<i64>,
    pub currency: Option<&'a str>,
    pub trial_days: Option<i32>,
    pub active: Option<bool>,
    pub publish_in_trial: Option<bool>,
}

crate::versioned!(PlanRow, "plan");

impl PlanRow {
    pub fn find(conn: &mut DbConn, id: i64) -> StoreResult<Self> {
        plans::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    /// Plans by id (those that exist).
    pub fn by_ids(conn: &mut DbConn, ids: &[i64]) -> StoreResult<HashMap<i64, Self>> {
        let rows: Vec<Self> = plans::table
            .filter(plans::id.eq_any(ids))
            .select(Self::as_select())
            .load(conn)?;
        Ok(rows.into_iter().map(|p| (p.id, p)).collect())
    }

    pub fn insert(conn: &mut DbConn, new: &NewPlan<'_>) -> StoreResult<Self> {
        let id = diesel::insert_into(plans::table)
            .values(new)
            .returning(plans::id)
            .get_result(conn)?;
        Self::find(conn, id)
    }

    pub fn update(conn: &mut DbConn, id: i64, changes: &PlanChanges<'_>) -> StoreResult<Self> {
        diesel::update(plans::table.find(id))
            .set((
                changes,
                plans::version.eq(plans::version + 1),
                plans::updated_at.eq(crate::clock::now()),
            ))
            .execute(conn)?;
        Self::find(conn, id)
    }

    /// Whether any subscription (live or past) is or will be on this plan.
    pub fn in_use(conn: &mut DbConn, id: i64) -> StoreResult<bool> {
        Ok(diesel::select(diesel::dsl::exists(
            subscriptions::table.filter(
                subscriptions::plan_id
                    .eq(id)
                    .or(subscriptions::next_plan_id.eq(id)),
            ),
        ))
        .get_result(conn)?)
    }

    pub fn delete(conn: &mut DbConn, id: i64) -> StoreResult<()> {
        diesel::delete(plans::table.find(id)).execute(conn)?;
        Ok(())
    }

    /// Cheapest first, then by name; `only_active` for everyone but administrators.
    pub fn list(
        conn: &mut DbConn,
        filter: &PlanFilter,
        only_active: bool,
        paging: &Paging<i64>,
    ) -> StoreResult<(Vec<Self>, i64)> {
        let build = || {
            let mut q = plans::table.into_boxed();
            if only_active {
                q = q.filter(plans::active.eq(true));
            } else if let Some(active) = filter.active {
                q = q.filter(plans::active.eq(active));
            }
            if let Some(edition) = filter.edition {
                q = q.filter(plans::edition.eq(edition.as_str()));
            }
            q
        };
        let total = build().count().get_result(conn)?;
        let rows = build()
            .order((plans::price.asc(), plans::name.asc(), plans::id.asc()))
            .limit(paging.limit)
            .offset(paging.offset)
            .select(Self::as_select())
            .load(conn)?;
        Ok((rows, total))
    }

    pub fn to_wire(&self) -> Plan {
        Plan {
            id: self.id.to_string(),
            name: self.name.clone(),
            edition: self.edition,
            interval: self.billing_interval,
            price: self.price,
            currency: self.currency.clone(),
            trial_days: self.trial_days,
            active: self.active,
            publish_in_trial: self.publish_in_trial,
            created_at: super::utc(self.created_at),
            updated_at: super::utc(self.updated_at),
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = coupons)]
pub struct CouponRow {
    pub id: i64,
    pub code: String,
    pub code_key: String,
    pub partner_id: Option<i64>,
    pub percent_off: Option<i32>,
    pub amount_off: Option<i64>,
    pub currency: Option<String>,
    #[diesel(deserialize_as = Stored<CouponDuration>)]
    pub duration: CouponDuration,
    pub duration_in_months: Option<i32>,
    pub redeem_by: Option<NaiveDateTime>,
    pub max_redemptions: Option<i32>,
    pub times_redeemed: i32,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = coupons)]
pub struct NewCoupon<'a> {
    pub code: &'a str,
    pub code_key: String,
    pub partner_id: Option<i64>,
    pub percent_off: Option<i32>,
    pub amount_off: Option<i64>,
    pub currency: Option<&'a str>,
    pub duration: &'static str,
    pub duration_in_months: Option<i32>,
    pub redeem_by: Option<NaiveDateTime>,
    pub max_redemptions: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = coupons)]
pub struct CouponChanges {
    pub redeem_by: Option<Option<NaiveDateTime>>,
    pub max_redemptions: Option<Option<i32>>,
}

/// A coupon with the plans it is limited to.
pub type CouponWithPlans = (CouponRow, Vec<i64>);

crate::versioned!(CouponRow, "coupon");

impl CouponRow {
    /// The coupon `id` that `partner` may manage (`None`: an administrator, who manages all).
    pub fn find(conn: &mut DbConn, id: i64, partner: Option<i64>) -> StoreResult<CouponWithPlans> {
        let mut q = coupons::table.filter(coupons::id.eq(id)).into_boxed();
        if let Some(partner) = partner {
            q = q.filter(coupons::partner_id.eq(partner));
        }
        let row: Self = q
            .select(Self::as_select())
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)?;
        let plans = Self::plans_of(conn, &[row.id])?.remove(&row.id);
        Ok((row, plans.unwrap_or_default()))
    }

    /// The coupon with this code (whatever its case) that `partners` issued, else the
    /// installation's: codes are unique per issuer, and a partner's own comes first.
    pub fn find_by_code(
        conn: &mut DbConn,
        code: &str,
        partners: &[i64],
    ) -> StoreResult<Option<CouponWithPlans>> {
        let mut rows: Vec<Self> = coupons::table
            .filter(coupons::code_key.eq(code.trim().to_lowercase()))
            .filter(
                coupons::partner_id
                    .is_null()
                    .or(coupons::partner_id.eq_any(partners)),
            )
            .select(Self::as_select())
            .load(conn)?;
        rows.sort_by_key(|c| c.partner_id.is_none());
        let row = rows.into_iter().next();
        let Some(row) = row else { return Ok(None) };
        let plans = Self::plans_of(conn, &[row.id])?.remove(&row.id);
        Ok(Some((row, plans.unwrap_or_default())))
    }

    fn plans_of(conn: &mut DbConn, ids: &[i64]) -> StoreResult<HashMap<i64, Vec<i64>>> {
        let pairs: Vec<(i64, i64)> = coupon_plans::table
            .filter(coupon_plans::coupon_id.eq_any(ids))
            .order((coupon_plans::coupon_id, coupon_plans::plan_id))
            .select((coupon_plans::coupon_id, coupon_plans::plan_id))
            .load(conn)?;
        let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
        for (coupon, plan) in pairs {
            out.entry(coupon).or_default().push(plan);
        }
        Ok(out)
    }

    pub fn insert(
        conn: &mut DbConn,
        new: &NewCoupon<'_>,
        plan_ids: &[i64],
    ) -> StoreResult<CouponWithPlans> {
        let id: i64 = diesel::insert_into(coupons::table)
            .values(new)
            .returning(coupons::id)
            .get_result(conn)?;
        let links: Vec<_> = plan_ids
            .iter()
            .map(|plan| {
                (
                    coupon_plans::coupon_id.eq(id),
                    coupon_plans::plan_id.eq(*plan),
                )
            })
            .collect();
        crate::insert_many!(conn, coupon_plans::table, &links)?;
        Self::find(conn, id, None)
    }

    pub fn update(
        conn: &mut DbConn,
        id: i64,
        changes: &CouponChanges,
    ) -> StoreResult<CouponWithPlans> {
        diesel::update(coupons::table.find(id))
            .set((
                changes,
                coupons::version.eq(coupons::version + 1),
                coupons::updated_at.eq(crate::clock::now()),
            ))
            .execute(conn)?;
        Self::find(conn, id, None)
    }

    pub fn delete(conn: &mut DbConn, id: i64) -> StoreResult<()> {
        diesel::delete(coupons::table.find(id)).execute(conn)?;
        Ok(())
    }

    /// Counts one more redemption unless the coupon is exhausted: `false` when it is. One
    /// conditional `UPDATE`, so concurrent redemptions never exceed the limit.
    pub fn redeem(conn: &mut DbConn, id: i64) -> StoreResult<bool> {
        let changed = diesel::update(
            coupons::table.find(id).filter(
                coupons::max_redemptions
                    .is_null()
                    .or(coupons::times_redeemed.lt(coupons::max_redemptions.assume_not_null())),
            ),
        )
        .set(coupons::times_redeemed.eq(coupons::times_redeemed + 1))
        .execute(conn)?;
        Ok(changed == 1)
    }

    /// Newest first: a partner's own, or (administrators) all.
    pub fn list(
        conn: &mut DbConn,
        partner: Option<i64>,
        paging: &Paging<i64>,
    ) -> StoreResult<(Vec<CouponWithPlans>, i64)> {
        let build = || {
            let mut q = coupons::table.into_boxed();
            if let Some(partner) = partner {
                q = q.filter(coupons::partner_id.eq(partner));
            }
            q
        };
        let total = build().count().get_result(conn)?;
        let mut q = build();
        if let Some(after) = paging.after {
            q = q.filter(coupons::id.lt(after));
        }
        let rows: Vec<Self> = q
            .order(coupons::id.desc())
            .limit(paging.limit)
            .offset(paging.offset)
            .select(Self::as_select())
            .load(conn)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut plans = Self::plans_of(conn, &ids)?;
        let rows = rows
            .into_iter()
            .map(|r| {
                let p = plans.remove(&r.id).unwrap_or_default();
                (r, p)
            })
            .collect();
        Ok((rows, total))
    }

    /// Whether it can be redeemed at `now`.
    pub fn valid_at(&self, now: NaiveDateTime) -> bool {
        self.redeem_by.is_none_or(|by| now <= by)
            && self.max_redemptions.is_none_or(|m| self.times_redeemed < m)
    }

    pub fn to_wire(&self, plan_ids: &[i64], now: NaiveDateTime) -> Coupon {
        Coupon {
            id: self.id.to_string(),
            code: self.code.clone(),
            partner_id: self.partner_id.map(|p| p.to_string()),
            percent_off: self.percent_off,
            amount_off: self.amount_off,
            currency: self.currency.clone(),
            duration: self.duration,
            duration_in_months: self.duration_in_months,
            redeem_by: self.redeem_by.map(super::utc),
            max_redemptions: self.max_redemptions,
            times_redeemed: self.times_redeemed,
            plan_ids: plan_ids.iter().map(i64::to_string).collect(),
            valid: self.valid_at(now),
            created_at: super::utc(self.created_at),
        }
    }
}
