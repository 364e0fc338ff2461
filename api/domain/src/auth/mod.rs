//! Who is calling: passwords, access and refresh tokens, secrets and rate limits. The extractors
//! that read them off a request are the api's (`api::auth`).

pub mod jwt;
pub mod password;
pub mod rate_limit;
pub mod secrets;
pub mod sessions;
pub mod two_factor;
