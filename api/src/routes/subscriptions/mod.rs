//! "Billing Subscriptions Management": an app's subscription (`/apps/{id}/subscription`) and the
//! subscriptions within reach (`/subscriptions…`): change of plan, cancel, coupons, pay.

mod act;
mod changes;
mod pay;
mod reads;
mod start;

use crate::routes::Register;

pub fn configure(cfg: &mut impl Register) {
    cfg.service(start::subscribe)
        .service(start::app_subscription)
        .service(start::preview)
        .service(reads::list_subscriptions)
        .service(reads::get_subscription)
        .service(changes::update_subscription)
        .service(changes::cancel_subscription)
        .service(changes::apply_coupon)
        .service(pay::pay)
        .service(reads::subscription_payments);
}
