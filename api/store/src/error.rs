//! What a query can fail with. The layers above turn it into their answer (a 404, a 422 on the
//! field, a 503 while the database is away); the store itself answers nobody.

use diesel::result::Error as DieselError;

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No such row, or none within the scope asked for (the two are never told apart).
    #[error("no such row")]
    NotFound,
    /// A value from the caller that names nothing the store issued (a list cursor, say).
    #[error("`{field}` {message}")]
    InvalidField {
        field: &'static str,
        message: &'static str,
    },
    /// The database refused or could not run a query (a lost connection, a unique index…).
    #[error(transparent)]
    Database(#[from] DieselError),
    /// What was read cannot be what was written (an unknown status, an unreadable sketch): a bug
    /// or a hand-edited row.
    #[error("{0:#}")]
    Corrupt(anyhow::Error),
}

impl StoreError {
    pub fn corrupt(what: impl std::fmt::Display) -> Self {
        Self::Corrupt(anyhow::anyhow!("{what}"))
    }
}
