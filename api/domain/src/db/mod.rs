//! The rules' handle on the store: [`Db`] runs every query on the runtime's blocking pool, behind the
//! request's [`gate`] and inside the server's clock. Everything else — connections, migrations,
//! rows and queries — is the `store` crate, re-exported here so that `db::accounts::…` reads as
//! it always has.

pub mod gate;

pub use store::*;

use std::time::Duration;

use diesel::r2d2;

use crate::clock::Clock;
use crate::error::{AppError, AppResult};

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
        Ok(Self {
            pool: store::pool(url, max_size, timeout)?,
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
        let hop = tokio::task::spawn_blocking(move || {
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
