//! "Billing Subscriptions Management" and "Payment Overview": the Billing page (subscriptions
//! and payments within reach), an app's Billing tab (subscribe with a priced preview, pay,
//! coupon, change of plan, cancel), and the administrators' plans and coupons.

mod app_tab;
mod coupons;
mod dialogs;
mod overview;
mod parts;
mod plans;

pub use app_tab::*;
pub use coupons::*;
pub use overview::*;
pub use plans::*;
