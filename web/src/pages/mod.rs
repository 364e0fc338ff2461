pub mod activate;
pub mod activity;
pub mod dashboard;
pub mod login;
pub mod not_found;
pub mod partners;
