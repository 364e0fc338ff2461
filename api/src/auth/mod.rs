//! Who is calling: passwords, tokens, the authentication extractors and rate limits.

pub mod device;
pub mod extractor;
pub mod jwt;
pub mod password;
pub mod rate_limit;
pub mod secrets;
pub mod sessions;

pub use extractor::{Admin, AuthUser, Manager};
