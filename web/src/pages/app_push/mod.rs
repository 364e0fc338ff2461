//! "Send push messages": the app's messages with their state and figures; a composer with a live
//! phone preview (iOS and Android), targeting with the count of devices it reaches, and when to
//! send (now, at a time, or at a time of day in each device's own zone); a message's report
//! (sent, failed by reason, opened, per hour) with a test send; the app's push settings
//! (provider credentials, quiet hours, daily cap, order status pushes).

mod composer;
mod list;
mod parts;
mod report;
mod settings;

pub use list::PushTab;
