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

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;
    use diesel::migration::MigrationSource;
    use diesel::sqlite::Sqlite;
    use diesel::{QueryableByName, RunQueryDsl};
    use diesel_migrations::MigrationHarness;

    use super::SQLITE_MIGRATIONS;
    use crate::DbConn;

    #[derive(QueryableByName, Debug, PartialEq)]
    struct Backfilled {
        #[diesel(sql_type = diesel::sql_types::Text)]
        family_id: String,
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::BigInt>)]
        impersonator_id: Option<i64>,
        #[diesel(sql_type = diesel::sql_types::Text)]
        created_at: String,
        #[diesel(sql_type = diesel::sql_types::Text)]
        last_used_at: String,
    }

    /// Sessions that exist when the sessions table arrives get a row each: signed in at their
    /// first refresh token, last used at their newest; accounts keep allowing "log in as".
    #[test]
    fn sessions_made_by_the_old_schema_are_listed_after_the_upgrade() {
        let pool = crate::pool(":memory:", 1, std::time::Duration::from_secs(5)).expect("pool");
        let mut conn = pool.get().expect("connection");
        let DbConn::Sqlite(sqlite) = &mut *conn else {
            unreachable!("an in-memory database is SQLite")
        };
        diesel::migration::MigrationConnection::setup(sqlite).expect("migrations table");
        let mut all =
            MigrationSource::<Sqlite>::migrations(&SQLITE_MIGRATIONS).expect("migrations");
        all.sort_by_key(|m| m.name().version().to_string());
        let at = all
            .iter()
            .position(|m| m.name().to_string().contains("sessions_and_log_in_as"))
            .expect("the sessions migration");
        let (before, from) = all.split_at(at);
        let last = &from[0];
        for migration in before {
            sqlite
                .run_migration(migration.as_ref())
                .expect("an old migration");
        }
        sqlite
            .batch_execute(
                "INSERT INTO accounts (id, email, role, status, first_name, last_name, version, \
                 created_at, updated_at) VALUES \
                 (1, 'a@example.com', 'customer', 'activated', 'A', 'B', 1, '2026-12-01 08:00:00', '2026-12-01 08:00:00'), \
                 (2, 'p@example.com', 'partner', 'activated', 'P', 'Q', 1, '2026-12-01 08:00:00', '2026-12-01 08:00:00'); \
                 INSERT INTO refresh_tokens (account_id, family_id, token_hash, impersonator_id, \
                 expires_at, used_at, created_at) VALUES \
                 (1, 'fam-a', 'h1', NULL, '2026-12-31 08:00:00', '2026-12-02 09:00:00', '2026-12-02 08:00:00'), \
                 (1, 'fam-a', 'h2', NULL, '2026-12-31 09:00:00', NULL, '2026-12-02 09:00:00'), \
                 (1, 'fam-b', 'h3', 2, '2026-12-03 09:00:00', NULL, '2026-12-03 08:00:00');",
            )
            .expect("old rows");
        sqlite.run_migration(last.as_ref()).expect("the upgrade");
        let rows: Vec<Backfilled> = diesel::sql_query(
            "SELECT family_id, impersonator_id, created_at, last_used_at FROM sessions ORDER BY family_id",
        )
        .load(sqlite)
        .expect("sessions");
        let row = |family: &str, impersonator, created: &str, used: &str| Backfilled {
            family_id: family.into(),
            impersonator_id: impersonator,
            created_at: created.into(),
            last_used_at: used.into(),
        };
        assert_eq!(
            rows,
            [
                row("fam-a", None, "2026-12-02 08:00:00", "2026-12-02 09:00:00"),
                row(
                    "fam-b",
                    Some(2),
                    "2026-12-03 08:00:00",
                    "2026-12-03 08:00:00"
                ),
            ]
        );
        let allowed: Vec<Allowed> = diesel::sql_query("SELECT allow_log_in_as FROM accounts")
            .load(sqlite)
            .expect("accounts");
        assert!(allowed.iter().all(|a| a.allow_log_in_as));
    }

    #[derive(QueryableByName)]
    struct Allowed {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        allow_log_in_as: bool,
    }
}
