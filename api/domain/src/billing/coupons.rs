//! Coupons: whether one may be redeemed, applying it, previewing a price with it, and what partners may give.

use super::*;
use types::ErrorCode;

pub(super) fn coupon_error(field: &str, code: ErrorCode, detail: &str) -> AppError {
    AppError::new(code, detail).on_field(field)
}

/// The coupon `code` (sent as the request's `field`) if the account `owner` may redeem it on
/// `plan` at `now`, else why not: 422 `coupon_not_found` (unknown, or another partner's),
/// `coupon_expired`, `coupon_not_applicable`, `coupon_currency_mismatch`, `coupon_exhausted`.
pub(super) fn usable_coupon(
    conn: &mut DbConn,
    owner: Option<i64>,
    plan: &PlanRow,
    (field, code): (&str, &str),
    now: NaiveDateTime,
) -> AppResult<CouponRow> {
    let owner_partner = match owner {
        Some(owner) => AccountRow::find(conn, owner)?.and_then(|a| a.partner_id),
        None => None,
    };
    // A partner's coupon is for that partner's customers (and the partner itself) only.
    let issuers: Vec<i64> = owner.into_iter().chain(owner_partner).collect();
    let (coupon, plans) = CouponRow::find_by_code(conn, code, &issuers)?
        .ok_or_else(|| coupon_error(field, ErrorCode::CouponNotFound, "No such coupon."))?;
    if coupon.redeem_by.is_some_and(|by| now > by) {
        return Err(coupon_error(
            field,
            ErrorCode::CouponExpired,
            "This coupon can no longer be redeemed.",
        ));
    }
    if !plans.is_empty() && !plans.contains(&plan.id) {
        return Err(coupon_error(
            field,
            ErrorCode::CouponNotApplicable,
            "This coupon does not apply to the subscription's plan.",
        ));
    }
    if coupon
        .currency
        .as_deref()
        .is_some_and(|c| !c.eq_ignore_ascii_case(&plan.currency))
    {
        return Err(coupon_error(
            field,
            ErrorCode::CouponCurrencyMismatch,
            "This coupon takes off an amount in another currency than the plan's.",
        ));
    }
    if !coupon.valid_at(now) {
        return Err(exhausted(field));
    }
    Ok(coupon)
}

pub(super) fn exhausted(field: &str) -> AppError {
    coupon_error(
        field,
        ErrorCode::CouponExhausted,
        "This coupon has been redeemed as many times as it may be.",
    )
}

/// What subscribing `app` to `plan` (with a coupon) would charge first, and when: the coupon
/// checked as subscribing checks it, VAT as the owner's invoice will have it. Nothing is stored.
pub fn preview(
    conn: &mut DbConn,
    billing: &Billing,
    app: &AppRow,
    plan: &PlanRow,
    coupon: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<UpcomingCharge> {
    let coupon = coupon
        .map(|code| usable_coupon(conn, Some(app.owner_id), plan, ("coupon_code", code), now))
        .transpose()?;
    let bill_to = BillTo::one(conn, Some(app.owner_id))?;
    let (vat_rate, _) = vat_for(
        &billing.seller,
        bill_to.as_ref().and_then(|b| b.country.as_deref()),
        bill_to.as_ref().and_then(|b| b.vat_id.as_deref()),
    );
    let a = amounts(
        plan.price,
        coupon.as_ref().and_then(|c| c.percent_off),
        coupon.as_ref().and_then(|c| c.amount_off),
        vat_rate,
    );
    Ok(UpcomingCharge {
        at: crate::db::utc(now + Duration::days(i64::from(plan.trial_days))),
        subtotal: a.subtotal,
        discount: a.discount,
        tax: a.tax,
        total: a.total,
        currency: plan.currency.clone(),
    })
}

/// Redeems `code` (sent as the request's `field`) on the subscription, with Stripe's refusals.
/// A discount in force is never dropped silently: another coupon is 409
/// `coupon_already_applied` unless `replace`.
pub fn apply_coupon(
    conn: &mut DbConn,
    sub: &SubscriptionRow,
    (field, code): (&str, &str),
    replace: bool,
    now: NaiveDateTime,
) -> AppResult<SubscriptionRow> {
    if !sub.status.is_live() {
        return Err(subscription_ended());
    }
    let plan = PlanRow::find(conn, sub.next_plan_id.unwrap_or(sub.plan_id))?;
    let coupon = usable_coupon(conn, sub.owner_id, &plan, (field, code), now)?;
    if discount_of(sub, now).is_some() {
        if !replace {
            return Err(AppError::new(ErrorCode::CouponAlreadyApplied,
                "The subscription already has a discount. Send `replace: true` to replace it with this one.",
            ));
        }
        // Replacing a discount by itself would only spend another redemption.
        if sub.coupon_id == Some(coupon.id) {
            return Err(AppError::new(
                ErrorCode::CouponAlreadyApplied,
                "This coupon is already the subscription's discount.",
            ));
        }
    }
    // The count is checked again as it is taken: two redemptions at once never exceed it.
    if !CouponRow::redeem(conn, coupon.id)? {
        return Err(exhausted(field));
    }
    let end = match coupon.duration {
        CouponDuration::Repeating => coupon
            .duration_in_months
            .and_then(|m| now.checked_add_months(Months::new(m.unsigned_abs()))),
        CouponDuration::Once | CouponDuration::Forever => None,
    };
    Ok(SubscriptionRow::set_discount(
        conn,
        sub.id,
        &DiscountTerms {
            coupon_id: Some(coupon.id),
            discount_code: Some(coupon.code.clone()),
            discount_percent_off: coupon.percent_off,
            discount_amount_off: coupon.amount_off,
            discount_currency: coupon.currency.clone(),
            discount_duration: Some(coupon.duration.as_str()),
            discount_start: Some(now),
            discount_end: end,
        },
        now,
    )?)
}

/// What a partner's coupon may take off: at most `max_percent` of the price of each plan it
/// applies to (an amount off must name its plans so that this can be checked), and never 100 %
/// forever, which only an administrator gives. 422 on the field beyond it.
pub fn ensure_partner_discount(
    coupon: &types::billing::CreateCoupon,
    plans: &std::collections::HashMap<i64, PlanRow>,
    max_percent: i32,
) -> AppResult<()> {
    let too_much = |field: &str| {
        AppError::invalid_field(
            field,
            format!("a partner's coupon takes off at most {max_percent} % of the price; ask an administrator for more"),
        )
    };
    if let Some(percent) = coupon.percent_off {
        let forever_free = percent >= 100 && coupon.duration == CouponDuration::Forever;
        if percent > max_percent || forever_free {
            return Err(too_much("percent_off"));
        }
    }
    if let Some(amount) = coupon.amount_off {
        if plans.is_empty() {
            return Err(AppError::invalid_field(
                "plan_ids",
                "a partner's amount-off coupon names the plans it is for",
            ));
        }
        if plans
            .values()
            .any(|p| amount * 100 > p.price * i64::from(max_percent))
        {
            return Err(too_much("amount_off"));
        }
    }
    Ok(())
}
