//! Text columns that hold one of a closed set of values (role, status, kind, edition, platform):
//! read strictly. A value the code does not know is an error, logged and answered as a 500 —
//! never silently read as some other status.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::sql_types::Text;

/// The text of an enum column, parsed on load: `#[diesel(deserialize_as = Stored<Role>)]` on a
/// field of type `Role`.
pub struct Stored<T>(T);

impl<T, DB> Queryable<Text, DB> for Stored<T>
where
    DB: Backend,
    String: FromSql<Text, DB>,
    T: std::str::FromStr<Err = String>,
{
    type Row = String;

    fn build(text: String) -> deserialize::Result<Self> {
        text.parse().map(Stored).map_err(|e: String| {
            tracing::error!(value = %text, error = %e, "unknown value in an enum column");
            e.into()
        })
    }
}

/// `From<Stored<T>>` for each enum stored as text (what `deserialize_as` needs).
macro_rules! stored_enums {
    ($($ty:ty),+ $(,)?) => {$(
        impl From<Stored<$ty>> for $ty {
            fn from(stored: Stored<$ty>) -> Self {
                stored.0
            }
        }
    )+};
}

stored_enums!(
    types::accounts::Role,
    types::accounts::AccountStatus,
    types::apps::AppKind,
    types::apps::AppEdition,
    types::mobile_users::MobileUserStatus,
    types::outbox::EmailStatus,
    types::devices::Platform,
    types::orders::OrderStatus,
    types::quotes::QuoteStatus,
    types::billing::BillingInterval,
    types::billing::SubscriptionStatus,
    types::billing::CouponDuration,
    types::billing::InvoiceStatus,
    types::billing::PaymentStatus,
    types::publishing::Store,
    types::publishing::PublishStatus,
    types::publishing::AssetKind,
    types::tokens::TokenScope,
    types::webhooks::DeliveryStatus,
    types::push::PushKind,
    types::push::PushStatus,
);

#[cfg(test)]
mod tests {
    use super::*;
    use types::accounts::AccountStatus;

    type SqliteRow = <Stored<AccountStatus> as Queryable<Text, diesel::sqlite::Sqlite>>::Row;

    fn load(text: &str) -> deserialize::Result<AccountStatus> {
        let row: SqliteRow = text.to_owned();
        <Stored<AccountStatus> as Queryable<Text, diesel::sqlite::Sqlite>>::build(row)
            .map(AccountStatus::from)
    }

    #[test]
    fn a_known_value_round_trips() {
        for status in AccountStatus::ALL {
            assert_eq!(load(status.as_str()).ok(), Some(*status));
        }
    }

    #[test]
    fn an_unknown_value_is_an_error_not_another_status() {
        assert!(load("suspended").is_err());
        assert!(load("Activated").is_err());
    }
}
