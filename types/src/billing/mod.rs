//! "Billing Subscriptions Management" and "Payment Overview": plans, one subscription per app,
//! coupons, invoices and payments. Semantics follow Stripe Billing. Money is in integer minor
//! units of the record's `currency`.

mod coupons;
mod payments;
mod plans;
mod subscriptions;

pub use coupons::*;
pub use payments::*;
pub use plans::*;
pub use subscriptions::*;

/// The largest price a plan may have, in minor units.
pub const MAX_PRICE: i64 = 100_000_000;

crate::string_enum! {
    /// How often a plan bills.
    pub enum BillingInterval {
        Month = "month",
        Year = "year",
    }
}

crate::string_enum! {
    /// Where a subscription stands (Stripe's statuses). Created without a trial it is
    /// `incomplete` until its first invoice is paid (`incomplete_expired` after 23 hours unpaid);
    /// with a trial it is `trialing`. A paid period makes it `active`; a failed renewal charge
    /// `past_due` (retried 1, 3 and 5 days later, then `canceled`).
    pub enum SubscriptionStatus {
        Incomplete = "incomplete",
        IncompleteExpired = "incomplete_expired",
        Trialing = "trialing",
        Active = "active",
        PastDue = "past_due",
        Canceled = "canceled",
    }
}

impl SubscriptionStatus {
    /// Whether the subscription still runs (it counts as the app's one live subscription).
    pub fn is_live(self) -> bool {
        !matches!(self, Self::Canceled | Self::IncompleteExpired)
    }

    /// How the back office names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Incomplete => "Awaiting payment",
            Self::IncompleteExpired => "Expired",
            Self::Trialing => "Trial",
            Self::Active => "Active",
            Self::PastDue => "Past due",
            Self::Canceled => "Canceled",
        }
    }
}

crate::string_enum! {
    /// How long a coupon's discount lasts: one invoice, the invoices of N months, or always.
    pub enum CouponDuration {
        Once = "once",
        Repeating = "repeating",
        Forever = "forever",
    }
}

crate::string_enum! {
    /// `draft` → `open` (finalised: numbered, awaiting payment) → `paid`, or `void` (canceled
    /// before payment) or `uncollectible` (dunning gave up).
    pub enum InvoiceStatus {
        Draft = "draft",
        Open = "open",
        Paid = "paid",
        Void = "void",
        Uncollectible = "uncollectible",
    }
}

crate::string_enum! {
    /// Whether a charge went through. `pending`: the provider answers later (a bank debit still
    /// processing); its signed webhook settles the payment.
    pub enum PaymentStatus {
        Pending = "pending",
        Succeeded = "succeeded",
        Failed = "failed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use validator::Validate;

    fn coupon() -> CreateCoupon {
        CreateCoupon {
            code: "SPRING-25".into(),
            percent_off: Some(25),
            amount_off: None,
            currency: None,
            duration: CouponDuration::Repeating,
            duration_in_months: Some(3),
            redeem_by: None,
            max_redemptions: None,
            plan_ids: vec![],
        }
    }

    #[test]
    fn a_coupon_takes_either_a_percentage_or_an_amount_with_its_currency() {
        assert!(coupon().validate().is_ok());
        let both = CreateCoupon {
            amount_off: Some(500),
            ..coupon()
        };
        assert!(both.validate().is_err());
        let amount_alone = CreateCoupon {
            percent_off: None,
            amount_off: Some(500),
            ..coupon()
        };
        assert!(amount_alone.validate().is_err());
        let amount = CreateCoupon {
            currency: Some("EUR".into()),
            ..amount_alone
        };
        assert!(amount.validate().is_ok());
        let forever_for_months = CreateCoupon {
            duration: CouponDuration::Forever,
            ..coupon()
        };
        assert!(forever_for_months.validate().is_err());
        let bad_code = CreateCoupon {
            code: "NO SPACES".into(),
            ..coupon()
        };
        assert!(bad_code.validate().is_err());
    }

    #[test]
    fn a_payment_method_is_an_id_never_card_details() {
        let pay = |pm: &str| {
            PaySubscription {
                payment_method: pm.into(),
            }
            .validate()
            .is_ok()
        };
        assert!(pay("pm_card_visa"));
        assert!(!pay("4242424242424242"));
        assert!(!pay("pm_"));
        assert!(!pay("pm_card visa"));
    }
}
