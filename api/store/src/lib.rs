//! The back office's store: the diesel schema, one `MultiConnection` over SQLite and PostgreSQL,
//! the r2d2 pool, embedded migrations, and one module per table group with its rows and queries.
//!
//! It knows nothing of HTTP, of who is signed in or of webhooks: a query that must stay within a
//! tenant takes a [`scope::Scope`]; a row that is not there is [`StoreError::NotFound`]. The server's
//! one [`clock`] lives here, at the bottom, so that every stamp a query writes reads the same "now"
//! as the rules above it.

pub mod accounts;
pub mod apps;
pub mod audit;
pub mod clock;
mod connection;
pub mod devices;
pub mod emails;
pub mod error;
pub mod events;
pub mod idempotency;
pub mod invoices;
mod migrations;
pub mod mobile_users;
pub mod orders;
pub mod page;
pub mod plans;
pub mod publishing;
pub mod push;
pub mod quotes;
pub mod rollups;
pub mod schema;
pub mod scope;
pub mod sessions;
pub mod sketch;
pub mod stored;
pub mod subscriptions;
pub mod tokens;
pub mod two_factor;
pub mod versioned;
pub mod webhooks;

#[cfg(test)]
mod idle_tests;

use chrono::{NaiveDateTime, Utc};
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::result::Error as DieselError;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};

pub use connection::{connection_lost, pool, Backend, ConnectionManager, DbConn, Pool};
pub use error::{StoreError, StoreResult};
pub use migrations::{migrate, POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS};
pub use versioned::Versioned;

/// `f` in one read-only transaction that sees one snapshot of the database: `REPEATABLE READ` on
/// PostgreSQL; on SQLite a deferred transaction, whose first read fixes its snapshot.
pub fn snapshot<T, E: From<DieselError>>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E> {
    conn.transaction(|conn| {
        if let DbConn::Postgres(_) = conn {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(conn)?;
        }
        f(conn)
    })
}

/// `f` in one transaction that will write: on SQLite `BEGIN IMMEDIATE` (see `Db::transaction`).
pub fn write_transaction<T, E: From<DieselError>>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E> {
    match conn {
        DbConn::Postgres(_) => conn.transaction(f),
        DbConn::Sqlite(_) => sqlite_immediate(conn, f),
    }
}

fn sqlite_immediate<T, E: From<DieselError>>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> Result<T, E>,
) -> Result<T, E> {
    fn inner(conn: &mut DbConn) -> &mut SqliteConnection {
        match conn {
            DbConn::Sqlite(c) => c,
            DbConn::Postgres(_) => unreachable!("called for SQLite connections only"),
        }
    }
    AnsiTransactionManager::begin_transaction_sql(inner(conn), "BEGIN IMMEDIATE")?;
    match f(conn) {
        Ok(value) => {
            <AnsiTransactionManager as TransactionManager<SqliteConnection>>::commit_transaction(
                inner(conn),
            )?;
            Ok(value)
        }
        Err(e) => {
            // The error that made us roll back is the one to report.
            let _ = <AnsiTransactionManager as TransactionManager<SqliteConnection>>::rollback_transaction(inner(conn));
            Err(e)
        }
    }
}

/// Inserts `rows` into `table`: one multi-row `INSERT` on PostgreSQL, one per row on SQLite
/// (diesel's SQLite batch insert needs `DEFAULT` for skipped columns, which SQLite lacks; inside
/// a transaction the rows cost little apart). The number inserted.
#[macro_export]
macro_rules! insert_many {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let rows = $rows;
        match $conn {
            $crate::DbConn::Postgres(c) => diesel::insert_into($table).values(rows).execute(c),
            $crate::DbConn::Sqlite(c) => rows.iter().try_fold(0, |n, row| {
                diesel::insert_into($table)
                    .values(row)
                    .execute(c)
                    .map(|m| n + m)
            }),
        }
    }};
}

pub use crate::clock::micros;

/// Database times are UTC without an offset; the wire carries RFC 3339.
pub fn utc(t: NaiveDateTime) -> chrono::DateTime<Utc> {
    t.and_utc()
}

/// Ids travel as strings; a malformed one names nothing, so it is a 404.
pub fn parse_id(id: &str) -> StoreResult<i64> {
    id.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or(StoreError::NotFound)
}
