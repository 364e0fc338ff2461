//! The schema's history, embedded: one folder per backend (`migrations/sqlite`,
//! `migrations/postgres`), applied at start-up.

use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::{rollups, DbConn};

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

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
