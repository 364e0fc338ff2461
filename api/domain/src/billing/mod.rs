//! Billing: subscribing an app to a plan, coupons, invoices, charges and renewals, following
//! Stripe Billing's semantics. Every operation runs inside the caller's transaction with the
//! subscription row locked, reads "now" from the caller (the shared clock), and audits and emails
//! what it does.

pub mod pdf;
pub mod provider;
pub mod renewal;
pub mod stripe;

mod amounts;
mod changes;
mod charges;
mod coupons;
mod lifecycle;
mod periods;
mod plans;
mod wire;

use std::collections::HashMap;
use std::sync::Arc;
use types::ErrorCode;

use chrono::{Duration, Months, NaiveDateTime};
use diesel::prelude::*;
use types::accounts::Role;
use types::apps::AppEdition;
use types::billing::{
    BillingInterval, CouponDuration, Discount, InvoiceStatus, PaymentStatus, Subscription,
    SubscriptionStatus, UpcomingCharge,
};

use crate::db::accounts::AccountRow;
use crate::db::apps::AppRow;
use crate::db::audit::Actor;
use crate::db::invoices::{
    InvoiceChanges, InvoiceLineRow, InvoiceRow, NewInvoice, NewPayment, PaymentRow,
};
use crate::db::plans::{CouponRow, PlanRow};
use crate::db::schema::{accounts, apps};
use crate::db::subscriptions::{
    DiscountTerms, NewSubscription, SubscriptionChanges, SubscriptionRow,
};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::mailer::{Email, Mailer};
use crate::settings::Settings;
pub use amounts::*;
pub use changes::*;
pub use charges::*;
pub use coupons::*;
pub use lifecycle::*;
use pdf::money;
pub use periods::*;
pub use plans::*;
use provider::{
    ChargeOutcome, ChargeRequest, Payer, PaymentProvider, ProviderError, Settlement, TestProvider,
};
use types::webhooks::WebhookEventType as Event;
pub use wire::*;

// Its conflicts are answered by the store's unique indexes too, so they live with the error.
pub use crate::error::subscription_exists;

/// An `incomplete` subscription whose first invoice stays unpaid this long expires (Stripe: 23 h).
pub const INCOMPLETE_FOR: Duration = Duration::hours(23);
/// Days after a failed renewal charge at which it is tried again; after the last, the
/// subscription is canceled and the invoice marked uncollectible.
pub const RETRY_DAYS: [i64; 3] = [1, 3, 5];

/// The seller on invoices.
#[derive(Debug, Clone)]
pub struct Seller {
    pub name: String,
    pub address: String,
    pub vat_id: Option<String>,
    pub country: String,
    /// Basis points.
    pub vat_rate: i32,
}

/// What billing needs beside a connection: the provider, the seller and the mailer.
#[derive(Clone)]
pub struct Billing {
    pub provider: Arc<dyn PaymentProvider>,
    pub seller: Seller,
    pub mailer: Mailer,
}

impl Billing {
    /// Fails when the chosen payment provider lacks its settings.
    pub fn new(settings: &Settings, mailer: Mailer) -> anyhow::Result<Self> {
        let provider: Arc<dyn PaymentProvider> = match settings.stripe()? {
            Some(config) => Arc::new(stripe::StripeProvider::new(config)),
            None => Arc::new(TestProvider),
        };
        Ok(Self {
            provider,
            seller: Seller {
                name: settings.seller_name.clone(),
                address: settings.seller_address.replace("\\n", "\n"),
                vat_id: settings.seller_vat_id.clone().filter(|v| !v.is_empty()),
                country: settings.seller_country.to_uppercase(),
                vat_rate: settings.vat_rate_bp,
            },
            mailer,
        })
    }
}

pub fn subscription_ended() -> AppError {
    AppError::new(
        ErrorCode::SubscriptionEnded,
        "This subscription has ended. Subscribe the app again.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(y: i32, m: u32, d: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(10, 0, 0))
            .unwrap_or_default()
    }

    fn seller() -> Seller {
        Seller {
            name: "S".into(),
            address: "A".into(),
            vat_id: None,
            country: "FR".into(),
            vat_rate: 2000,
        }
    }

    #[test]
    fn discounts_round_half_up_and_vat_applies_to_what_is_left() {
        assert_eq!(
            amounts(4900, Some(20), None, 2000),
            Amounts {
                subtotal: 4900,
                discount: 980,
                tax: 784,
                total: 4704
            }
        );
        // 33 % of 4999 is 1649.67: 1650.
        assert_eq!(amounts(4999, Some(33), None, 0).discount, 1650);
        // An amount off never takes the invoice below zero.
        assert_eq!(amounts(500, None, Some(2000), 2000).total, 0);
        // 19.6 % of 1001 is 196.196: 196.
        assert_eq!(amounts(1001, None, None, 1960).tax, 196);
    }

    #[test]
    fn vat_follows_where_the_buyer_is_and_whether_it_is_a_business() {
        let s = seller();
        assert_eq!(vat_for(&s, Some("FR"), Some("FR123")), (2000, false));
        assert_eq!(vat_for(&s, Some("DE"), Some("DE123456789")), (0, true));
        assert_eq!(vat_for(&s, Some("DE"), None), (2000, false));
        assert_eq!(vat_for(&s, Some("US"), None), (0, false));
        assert_eq!(vat_for(&s, None, None), (2000, false));
        let outside = Seller {
            country: "US".into(),
            ..seller()
        };
        assert_eq!(vat_for(&outside, Some("DE"), Some("DE1")), (2000, false));
    }

    #[test]
    fn monthly_periods_keep_their_day_of_the_month_when_they_can() {
        let anchor = at(2026, 1, 31);
        let feb = next_period_end(anchor, anchor, BillingInterval::Month);
        assert_eq!(feb, at(2026, 2, 28));
        let mar = next_period_end(anchor, feb, BillingInterval::Month);
        assert_eq!(mar, at(2026, 3, 31));
        assert_eq!(
            next_period_end(at(2024, 2, 29), at(2024, 2, 29), BillingInterval::Year),
            at(2025, 2, 28)
        );
    }
}
