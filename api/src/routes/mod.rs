//! HTTP routes: one module per resource, each with a `configure` that registers its handlers
//! through utoipa-actix-web, so everything that is served is also in the OpenAPI spec.

pub mod account;
pub mod analytics;
pub mod app_assets;
pub mod apps;
pub mod assets;
pub mod audit;
pub mod auth;

pub mod coupons;
pub mod csv;
pub mod customers;
pub mod devices;
mod etag;
pub(crate) mod extract;
pub mod fallback;
pub mod health;
pub mod me;
pub mod mobile_users;
pub mod orders;
pub mod outbox;
pub mod partners;
pub mod payments;
pub mod plans;
pub mod publish_queue;
pub mod publishing;
pub mod push;
pub mod quotes;
mod register;
pub mod sdk;
pub mod sessions;
pub mod subscriptions;
pub mod two_factor;
pub mod webhooks;

pub use etag::{
    check_if_match, if_match_of, json_with_etag, tagged, versioned, with_etag, Versioned,
};
pub use extract::{valid_query, Valid};
pub use register::Register;

/// Everything under `/api/v1`.
pub fn configure(cfg: &mut impl Register) {
    auth::configure(cfg);
    me::configure(cfg);
    sessions::configure(cfg);
    two_factor::configure(cfg);
    account::configure(cfg);
    partners::configure(cfg);
    customers::configure(cfg);
    apps::configure(cfg);
    devices::configure(cfg);
    mobile_users::configure(cfg);
    orders::configure(cfg);
    quotes::configure(cfg);
    analytics::configure(cfg);
    push::configure(cfg);
    plans::configure(cfg);
    coupons::configure(cfg);
    subscriptions::configure(cfg);
    payments::configure(cfg);
    publishing::configure(cfg);
    publish_queue::configure(cfg);
    app_assets::configure(cfg);
    sdk::configure(cfg);
    audit::configure(cfg);
    outbox::configure(cfg);
    webhooks::configure(cfg);
    cfg.service(health::openapi_json);
}
