//! Connections: one `MultiConnection` over both backends, chosen by the URL's scheme, and an
//! r2d2 pool that keeps a connection only while its server answers.

use std::time::{Duration, Instant};

use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::pg::PgConnection;
use diesel::r2d2::{self, ManageConnection};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, RunQueryDsl};

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

/// Builds a pool without connecting: the server starts even while the database is down and
/// answers 503 until it is back. A SQLite file's folder is made if missing.
pub fn pool(url: &str, max_size: u32, timeout: Duration) -> anyhow::Result<Pool> {
    let manager = ConnectionManager::new(url);
    if manager.backend == Backend::Sqlite {
        if let Some(dir) = std::path::Path::new(&manager.url).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
    }
    Ok(r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .connection_timeout(timeout)
        .test_on_check_out(true)
        .build_unchecked(manager))
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
