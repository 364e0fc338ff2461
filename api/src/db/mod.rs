//! Database access: one `MultiConnection` over SQLite and PostgreSQL, an r2d2 pool, embedded
//! migrations, and `Db::run`, which moves every query onto actix's blocking pool.

pub mod accounts;
pub mod apps;
pub mod audit;
pub mod devices;
pub mod emails;
pub mod events;
pub mod gate;
pub mod idempotency;
pub mod invoices;
pub mod mobile_users;
pub mod orders;
pub mod page;
pub mod plans;
pub mod publishing;
pub mod push;
pub mod quotes;
pub mod rollups;
pub mod schema;
pub mod stored;
pub mod subscriptions;
pub mod tokens;
pub mod webhooks;

use std::time::{Duration, Instant};

use chrono::{NaiveDateTime, Utc};
use diesel::connection::{
    AnsiTransactionManager, Instrumentation, InstrumentationEvent, SimpleConnection,
    TransactionManager,
};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::clock::Clock;
use crate::error::{AppError, AppResult};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// A connection to whichever backend `DATABASE_URL` names.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which backend a `DATABASE_URL` names: `postgres://` or `postgresql://` is PostgreSQL,
/// anything else (a path, or `sqlite://path`) a SQLite file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn of(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

/// Opens connections of the backend chosen from the URL's scheme — never by trial, because
/// `SqliteConnection` would accept any string as a file name.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: String,
    backend: Backend,
}

impl ConnectionManager {
    pub fn new(url: &str) -> Self {
        let backend = Backend::of(url);
        let url = match backend {
            Backend::Sqlite => url.trim_start_matches("sqlite://").to_owned(),
            Backend::Postgres => url.to_owned(),
        };
        Self { url, backend }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match self.backend {
            Backend::Postgres => {
                let mut conn =
                    PgConnection::establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
                // JIT compiling pays off only for long analytical scans; the analytics query (a
                // UNION of up to 400 small index-range SELECTs) looks costly enough to trigger it
                // and would spend seconds compiling what runs in milliseconds.
                conn.batch_execute("SET jit = off")
                    .map_err(r2d2::Error::QueryError)?;
                conn.set_instrumentation(Liveness::new());
                Ok(DbConn::Postgres(conn))
            }
            Backend::Sqlite => {
                let mut conn =
                    SqliteConnection::establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers run beside the writer; busy_timeout waits for the write lock
                // instead of failing with "database is locked"; foreign keys are off by default.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(r2d2::Error::QueryError)?;
                conn.set_instrumentation(Liveness::new());
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    /// Checked out again: a connection that answered within the last half second is taken as
    /// it is (under load that is every check-out, and no request pays a `SELECT 1` round trip);
    /// one idle for longer is asked `SELECT 1` first, so that a database restarted meanwhile
    /// costs no request an error. HikariCP's "alive bypass window" is the same idea.
    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        if Liveness::of(conn).is_some_and(|l| l.last_answer.elapsed() < ALIVE_BYPASS) {
            return Ok(());
        }
        diesel::sql_query("SELECT 1")
            .execute(conn)
            .map(|_| ())
            .map_err(r2d2::Error::QueryError)
    }

    /// Given back: a connection that lost its server is closed instead of kept for the next
    /// request.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        Liveness::of(conn).is_some_and(|l| l.lost)
    }
}

/// How recently a connection must have answered to be handed out without a `SELECT 1`.
const ALIVE_BYPASS: Duration = Duration::from_millis(500);

/// What the pool knows of one connection, kept on it as its diesel instrumentation (which sees
/// the end of every query): when the server last answered, and whether a query failed as only a
/// lost connection fails.
struct Liveness {
    last_answer: Instant,
    lost: bool,
}

impl Liveness {
    fn new() -> Self {
        Self {
            last_answer: Instant::now(),
            lost: false,
        }
    }

    fn of(conn: &mut DbConn) -> Option<&Self> {
        conn.instrumentation().downcast_ref::<Self>()
    }
}

impl Instrumentation for Liveness {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::FinishQuery { error, .. } = event {
            match error {
                Some(err) if connection_lost(err) => self.lost = true,
                // Any answer, an error included, shows the server is there.
                _ => self.last_answer = Instant::now(),
            }
        }
    }
}

/// Whether a query failed because the connection is gone (the server closed it or restarted, a
/// failover, a network cut) rather than with an answer from the server.
pub fn connection_lost(err: &DieselError) -> bool {
    match err {
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        ) => true,
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info) => {
            let message = info.message().to_ascii_lowercase();
            [
                "connection",
                "server closed",
                "terminating",
                "could not connect",
            ]
            .iter()
            .any(|m| message.contains(m))
        }
        _ => false,
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;

/// How one trip to the blocking pool went.
enum Hop<T> {
    NoConnection(AppError),
    /// The request's gate refused it; the handler's work did not run.
    Refused(AppError),
    Ran {
        /// Whether the gate's check ran (and passed) first.
        checked: bool,
        out: AppResult<T>,
    },
}

/// The shared handle handlers use.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    /// The server's clock, entered around every closure so that the store's stamps read it.
    clock: Clock,
}

impl Db {
    /// Builds the pool without connecting: the server starts even while the database is down and
    /// answers 503 until it is back.
    pub fn new(url: &str, max_size: u32, timeout: Duration) -> anyhow::Result<Self> {
        let manager = ConnectionManager::new(url);
        let backend = manager.backend;
        if backend == Backend::Sqlite {
            if let Some(dir) = std::path::Path::new(&manager.url).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir)?;
                }
            }
        }
        let pool = r2d2::Pool::builder()
            .max_size(max_size)
            .min_idle(Some(0))
            .connection_timeout(timeout)
            .test_on_check_out(true)
            .build_unchecked(manager);
        Ok(Self {
            pool,
            clock: Clock::default(),
        })
    }

    /// This handle with `clock` as the time its work reads (`crate::clock::now`).
    pub fn with_clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The clock this handle's work reads.
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// A connection for command-line tools (not request handlers: those use `run`).
    pub fn get(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, r2d2::PoolError> {
        self.pool.get()
    }

    pub fn pool_state(&self) -> r2d2::State {
        self.pool.state()
    }

    pub fn max_size(&self) -> u32 {
        self.pool.max_size()
    }

    /// Runs `f` with a pooled connection on the blocking thread pool, never on an actix worker.
    /// In a request whose [`gate`] is closed, the gate's check runs first on the same connection
    /// (`f` does not run if it refuses).
    pub async fn run<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        if let Some(refused) = gate::refusal() {
            return Err(refused);
        }
        let check = gate::hop();
        let pool = self.pool.clone();
        let clock = self.clock.clone();
        let span = tracing::Span::current();
        let hop = actix_web::web::block(move || {
            let _entered = span.enter();
            clock.enter(move || {
                let mut conn = match pool.get() {
                    Ok(conn) => conn,
                    Err(err) => return Hop::NoConnection(err.into()),
                };
                let checked = check.is_some();
                if let Some(Err(refused)) = check.map(|check| check(&mut conn)) {
                    return Hop::Refused(refused);
                }
                Hop::Ran {
                    checked,
                    out: f(&mut conn),
                }
            })
        })
        .await?;
        match hop {
            Hop::NoConnection(err) => Err(err),
            Hop::Refused(err) => Err(gate::refused(err)),
            Hop::Ran { checked, out } => {
                if checked {
                    gate::passed();
                }
                out
            }
        }
    }

    /// Like `run`, inside one transaction. On SQLite it is `BEGIN IMMEDIATE`: a deferred
    /// transaction that reads and then writes fails at once ("database is locked") when another
    /// writer got in between, whatever the busy timeout; taking the write lock first makes
    /// writers queue up instead.
    pub async fn transaction<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| write_transaction(conn, f)).await
    }

    /// Applies the pending migrations of this backend.
    pub fn migrate(&self) -> anyhow::Result<()> {
        let mut conn = self.pool.get()?;
        migrate(&mut conn)
    }
}

/// `f` in one read-only transaction that sees one snapshot of the database: `REPEATABLE READ` on
/// PostgreSQL; on SQLite a deferred transaction, whose first read fixes its snapshot.
pub fn snapshot<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
    conn.transaction(|conn| {
        if let DbConn::Postgres(_) = conn {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(conn)?;
        }
        f(conn)
    })
}

/// `f` in one transaction that will write: on SQLite `BEGIN IMMEDIATE` (see `Db::transaction`).
pub fn write_transaction<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> AppResult<T>,
) -> AppResult<T> {
    match conn {
        DbConn::Postgres(_) => conn.transaction(f),
        DbConn::Sqlite(_) => sqlite_immediate(conn, f),
    }
}

fn sqlite_immediate<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> AppResult<T>,
) -> AppResult<T> {
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

/// The migration that added the analytics rollups: applying it builds them from what is stored.
const ROLLUPS_MIGRATION: &str = "20261129000009";

pub fn migrate(conn: &mut DbConn) -> anyhow::Result<()> {
    let applied: Vec<String> = match conn {
        DbConn::Postgres(c) => c
            .run_pending_migrations(POSTGRES_MIGRATIONS)
            .map(|v| v.iter().map(ToString::to_string).collect()),
        DbConn::Sqlite(c) => c
            .run_pending_migrations(SQLITE_MIGRATIONS)
            .map(|v| v.iter().map(ToString::to_string).collect()),
    }
    .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
    if !applied.is_empty() {
        tracing::info!(applied = applied.len(), "database migrated");
    }
    if applied
        .iter()
        .any(|v| v.replace('-', "") == ROLLUPS_MIGRATION)
    {
        let started = std::time::Instant::now();
        let (apps, read) = rollups::rebuild_all(conn, None)
            .map_err(|e| anyhow::anyhow!("building the analytics rollups failed: {e}"))?;
        tracing::info!(
            apps,
            events = read.events,
            installs = read.installs,
            seconds = started.elapsed().as_secs_f64(),
            "analytics rollups built"
        );
    }
    Ok(())
}

/// Inserts `rows` into `table`: one multi-row `INSERT` on PostgreSQL, one per row on SQLite
/// (diesel's SQLite batch insert needs `DEFAULT` for skipped columns, which SQLite lacks; inside
/// a transaction the rows cost little apart). The number inserted.
#[macro_export]
macro_rules! insert_many {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let rows = $rows;
        match $conn {
            $crate::db::DbConn::Postgres(c) => diesel::insert_into($table).values(rows).execute(c),
            $crate::db::DbConn::Sqlite(c) => rows.iter().try_fold(0, |n, row| {
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
pub fn parse_id(id: &str) -> AppResult<i64> {
    id.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(AppError::not_found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database_error(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_owned()))
    }

    #[test]
    fn only_a_gone_connection_counts_as_lost() {
        for lost in [
            database_error(DatabaseErrorKind::ClosedConnection, "closed"),
            database_error(DatabaseErrorKind::UnableToSendCommand, "no connection"),
            database_error(
                DatabaseErrorKind::Unknown,
                "server closed the connection unexpectedly",
            ),
            database_error(
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
        ] {
            assert!(connection_lost(&lost), "{lost}");
        }
        for answered in [
            database_error(DatabaseErrorKind::Unknown, "database is locked"),
            database_error(DatabaseErrorKind::UniqueViolation, "duplicate key value"),
            database_error(
                DatabaseErrorKind::Unknown,
                "syntax error at or near \"SELEC\"",
            ),
            DieselError::NotFound,
        ] {
            assert!(!connection_lost(&answered), "{answered}");
        }
    }

    #[test]
    fn a_connection_keeps_its_liveness_and_an_answered_error_does_not_break_it() {
        let manager = ConnectionManager::new(":memory:");
        let mut conn = manager.connect().expect("sqlite in memory");
        assert!(Liveness::of(&mut conn).is_some(), "set when connecting");
        assert!(diesel::sql_query("SELEC 1").execute(&mut conn).is_err());
        assert!(!manager.has_broken(&mut conn), "the server answered");
        manager.is_valid(&mut conn).expect("valid");
    }
}
