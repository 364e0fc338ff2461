//! The back office's rules: one module per resource holding what may happen to it, its audit
//! record and its webhook event; who may do what (`policy`); the background jobs' work (push,
//! webhooks, renewals, quote expiry, mail); the error every layer above answers with. It runs
//! queries through the store (`db`) and knows nothing of actix: the `api` crate extracts, calls
//! these functions and answers.

pub mod analytics;
pub mod apps;
pub mod auth;
pub mod billing;
pub mod customers;
pub mod db;
pub mod demo_commerce;
pub mod demo_traffic;
pub mod error;
pub mod mailer;
pub mod metrics;
pub mod mobile_users;
pub mod onboarding;
pub mod orders;
pub mod partners;
pub mod policy;
pub mod publishing;
pub mod push;
pub mod quotes;
pub mod request_id;
pub mod sdk;
pub mod seed;
pub mod settings;
pub mod state;
pub mod telemetry;
pub mod versions;
pub mod webhooks;

// The store's clock and device sketch, where the rules have always named them.
pub use store::{clock, sketch};
