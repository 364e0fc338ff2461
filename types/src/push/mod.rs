//! Push messages: what an app owner composes, whom it targets, when it goes out, and what became
//! of it; and each app's push settings (provider credentials, quiet hours, a daily cap).

mod message;
mod settings;
mod target;

pub use message::*;
pub use settings::*;
pub use target::*;

crate::string_enum! {
    /// `draft` (not going anywhere yet) → `scheduled` (waiting for `send_at`) → `sending` →
    /// `sent` (every delivery done, at least one delivered, or nobody targeted) or `failed`
    /// (every delivery failed); `canceled` stops what was not sent yet.
    pub enum PushStatus {
        Draft = "draft",
        Scheduled = "scheduled",
        Sending = "sending",
        Sent = "sent",
        Failed = "failed",
        Canceled = "canceled",
    }
}

impl PushStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Scheduled => "Scheduled",
            Self::Sending => "Sending",
            Self::Sent => "Sent",
            Self::Failed => "Failed",
            Self::Canceled => "Canceled",
        }
    }

    /// Whether the message may still be edited (and sent or scheduled).
    pub fn editable(self) -> bool {
        matches!(self, Self::Draft | Self::Scheduled)
    }
}

crate::string_enum! {
    /// `campaign`: composed in the back office; `order_status`: sent to the ordering device when
    /// an order changes status (see the app's push settings).
    pub enum PushKind {
        Campaign = "campaign",
        OrderStatus = "order_status",
    }
}

crate::string_enum! {
    /// Which APNs environment an app's key sends to: `production` (App Store and TestFlight
    /// builds) or `sandbox` (development builds).
    pub enum ApnsEnvironment {
        Production = "production",
        Sandbox = "sandbox",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devices::Platform;

    #[test]
    fn versions_compare_number_by_number() {
        assert!(version_key("2.10") > version_key("2.9"));
        assert!(version_key("2.0.1") > version_key("2.0"));
        assert_eq!(version_key("3.1-beta"), vec![3, 1, 0]);
        assert!(valid_version("2.10.1").is_ok());
        assert!(valid_version("2.x").is_err());
    }

    #[test]
    fn a_language_matches_its_regions() {
        assert!(locale_matches("fr", "fr-FR"));
        assert!(locale_matches("fr", "fr_CA"));
        assert!(locale_matches("nl-NL", "nl_nl"));
        assert!(!locale_matches("fr", "fry"));
        assert!(!locale_matches("fr-FR", "fr"));
    }

    #[test]
    fn a_target_is_an_object_only() {
        let target: PushTarget = serde_json::from_str(r#"{"platforms": ["ios"]}"#).expect("object");
        assert_eq!(target.platforms, Some(vec![Platform::Ios]));
        assert!(serde_json::from_str::<PushTarget>("[]").is_err());
        assert!(serde_json::from_str::<PushTarget>("[null, null]").is_err());
    }

    #[test]
    fn times_of_day_are_checked() {
        assert_eq!(parse_time_of_day("22:30"), Some(1350));
        assert_eq!(parse_time_of_day("24:00"), None);
        assert_eq!(parse_time_of_day("9:30"), None);
        assert_eq!(format_time_of_day(1350), "22:30");
    }
}
