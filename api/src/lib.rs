//! The back office's API server as a library: the binary in `main.rs` and the black-box tests
//! both start it through `startup::Application`.

pub mod analytics;
pub mod auth;
pub mod billing;
pub mod cli;
pub mod db;
pub mod demo_commerce;
pub mod demo_traffic;
pub mod error;
pub mod idempotency;
pub mod mailer;
pub mod metrics;
pub mod middleware;
pub mod onboarding;
pub mod openapi;
pub mod orders;
pub mod policy;
pub mod publishing;
pub mod push;
pub mod quotes;
pub mod request_id;
pub mod routes;
pub mod sdk;
pub mod seed;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod webhooks;

// The bottom layer's clock and device sketch, where the api has always named them.
pub use store::{clock, sketch};
