//! Who is calling, read off the request: the authentication extractors and the device cookie,
//! beside the domain's passwords, tokens and rate limits (`domain::auth`).

pub use domain::auth::*;

pub mod device;
pub mod extractor;

pub use extractor::{Admin, AuthUser, Manager};
