//! Records edited under optimistic concurrency: every change bumps the row's `version`, and the
//! API names that version as an ETag (`"app-12-3"`) that a change sends back in `If-Match`.

/// A record with a version. Declared with [`versioned!`](crate::versioned!).
pub trait Versioned {
    /// What its ETags call this kind of record: `app`, `order`… (accounts' have no kind: their
    /// ETags predate the kinds, and clients hold them).
    const KIND: &'static str;

    /// The record's id and its version now.
    fn id_and_version(&self) -> (i64, i64);

    /// The record's ETag as it is now.
    fn etag(&self) -> String {
        let (id, version) = self.id_and_version();
        match Self::KIND {
            "" => format!("\"{id}-{version}\""),
            kind => format!("\"{kind}-{id}-{version}\""),
        }
    }
}

impl<T: Versioned> Versioned for &T {
    const KIND: &'static str = T::KIND;

    fn id_and_version(&self) -> (i64, i64) {
        (**self).id_and_version()
    }
}

/// `versioned!(AppRow, "app")`: the row's ETag names its kind, its `id` and its `version`
/// (`versioned!(SettingsRow, "push-settings", app_id)` for a row keyed otherwise).
#[macro_export]
macro_rules! versioned {
    ($row:ty, $kind:literal) => {
        $crate::versioned!($row, $kind, id);
    };
    ($row:ty, $kind:literal, $key:ident) => {
        impl $crate::versioned::Versioned for $row {
            const KIND: &'static str = $kind;

            fn id_and_version(&self) -> (i64, i64) {
                (self.$key, i64::from(self.version))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::Versioned;

    struct Row {
        id: i64,
        version: i32,
    }
    crate::versioned!(Row, "thing");

    struct Account {
        id: i64,
        version: i64,
    }
    crate::versioned!(Account, "");

    #[test]
    fn an_etag_names_the_kind_the_record_and_its_version() {
        assert_eq!(Row { id: 12, version: 3 }.etag(), "\"thing-12-3\"");
        assert_eq!(Account { id: 7, version: 1 }.etag(), "\"7-1\"");
    }
}
