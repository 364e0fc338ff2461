//! Black-box tests of the back office API: each test starts the real server on a free port with a
//! fresh database, and runs on SQLite and on PostgreSQL.

mod helpers;

mod analytics;
mod apps;
mod attacks;
mod audit;
mod auth;
mod billing;
mod consent;
mod customers;
mod errors;
mod headers;
mod idempotency;
mod jwt;
mod lists;
mod me;
mod mobile_users;
mod openapi;
mod operations;
mod orders;
mod outage;
mod outbox;
mod partners;
mod password_reset;
mod publishing;
mod push;
mod quotes;
mod schema;
mod sdk;
mod spa;
mod stripe;
mod tenant_matrix;
mod webhooks;
