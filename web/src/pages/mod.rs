pub mod accounts;
pub mod activate;
pub mod activity;
pub mod dashboard;
pub mod impersonate;
pub mod login;
pub mod not_found;
pub mod profile;
