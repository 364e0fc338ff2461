//! The back office's HTTP API: actix routes, extractors, middleware, the OpenAPI document and
//! start-up. Handlers extract, call the rules in the `domain` crate and answer; the binary in
//! `main.rs` and the black-box tests both start the server through `startup::Application`.
//!
//! The domain's modules are re-exported at this crate's root, so that `api::billing` and
//! `crate::orders` name them; a module here with a domain module's name (`auth`, `error`, `sdk`)
//! is that module plus its HTTP side (an extractor, the rendering of errors).

pub mod auth;
pub mod cli;
pub mod error;
pub mod idempotency;
pub mod middleware;
pub mod openapi;
pub mod routes;
pub mod sdk;
pub mod startup;

pub use domain::*;
