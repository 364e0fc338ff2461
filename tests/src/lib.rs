//! Test-only crate: see `api/main.rs`.
