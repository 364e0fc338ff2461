//! Push messages, each app's push settings, and one delivery per message and device.
//!
//! A message that starts sending is *fanned out* in chunks of devices (by id, from
//! `fanout_after`), each chunk making its deliveries; the sender claims due deliveries with row
//! locks, so replicas never send one twice, and a unique index makes a second delivery of one
//! message to one device impossible.

mod audience;
mod deliveries;
mod messages;
mod reports;
mod settings;

pub use audience::*;
pub use deliveries::*;
pub use messages::*;
pub use reports::*;
pub use settings::*;
