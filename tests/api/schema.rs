//! The two migration folders describe one schema: after migrating, SQLite and PostgreSQL have the
//! same tables, columns, nullability and indexes (by their columns, uniqueness and partiality —
//! index names differ by backend).

use api::db::DbConn;
use diesel::sql_types::{Bool, Text};
use diesel::{QueryableByName, RunQueryDsl};

use crate::helpers::{Backend, TestApp};

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[derive(QueryableByName)]
struct Index {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    columns: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    partial: bool,
}

const SQLITE_COLUMNS: &str = "SELECT m.name AS table_name, p.name AS column_name, \
    (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
    FROM sqlite_master m JOIN pragma_table_info(m.name) p \
    WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
    AND m.name <> '__diesel_schema_migrations'";

const SQLITE_INDEXES: &str = "SELECT m.name AS table_name, il.\"unique\" AS is_unique, \
    il.partial AS partial, (SELECT group_concat(n, ',') FROM (SELECT coalesce(x.name, '<expr>') AS n \
    FROM pragma_index_xinfo(il.name) x WHERE x.key = 1 ORDER BY x.seqno)) AS columns \
    FROM sqlite_master m JOIN pragma_index_list(m.name) il \
    WHERE m.type = 'table' AND il.origin <> 'pk' AND m.name <> '__diesel_schema_migrations'";

const POSTGRES_COLUMNS: &str = "SELECT table_name::text AS table_name, \
    column_name::text AS column_name, (is_nullable = 'YES') AS nullable \
    FROM information_schema.columns \
    WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'";

const POSTGRES_INDEXES: &str = "SELECT t.relname::text AS table_name, ix.indisunique AS is_unique, \
    (ix.indpred IS NOT NULL) AS partial, \
    (SELECT string_agg(CASE WHEN k.attnum = 0 THEN '<expr>' ELSE a.attname::text END, ',' ORDER BY k.ord) \
     FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
     LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum \
     WHERE k.ord <= ix.indnkeyatts) AS columns \
    FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
    JOIN pg_namespace n ON n.oid = t.relnamespace \
    WHERE n.nspname = 'public' AND NOT ix.indisprimary AND t.relname <> '__diesel_schema_migrations'";

/// One sorted line per column and per index.
async fn schema_of(app: &TestApp) -> Vec<String> {
    let db = app.db.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = db.get().expect("connection");
        let (columns, indexes): (Vec<Column>, Vec<Index>) = match &mut *conn {
            DbConn::Sqlite(c) => (
                diesel::sql_query(SQLITE_COLUMNS)
                    .load(c)
                    .expect("sqlite columns"),
                diesel::sql_query(SQLITE_INDEXES)
                    .load(c)
                    .expect("sqlite indexes"),
            ),
            DbConn::Postgres(c) => (
                diesel::sql_query(POSTGRES_COLUMNS)
                    .load(c)
                    .expect("postgres columns"),
                diesel::sql_query(POSTGRES_INDEXES)
                    .load(c)
                    .expect("postgres indexes"),
            ),
        };
        let mut lines: Vec<String> = columns
            .iter()
            .map(|c| {
                let null = if c.nullable { "null" } else { "not null" };
                format!("column {}.{} {null}", c.table_name, c.column_name)
            })
            .chain(indexes.iter().map(|i| {
                let kind = if i.is_unique { "unique index" } else { "index" };
                let partial = if i.partial { " (partial)" } else { "" };
                format!("{kind} {}({}){partial}", i.table_name, i.columns)
            }))
            .collect();
        lines.sort();
        lines
    })
    .await
    .expect("blocking")
}

#[tokio::test]
async fn sqlite_and_postgres_migrate_to_the_same_schema() {
    let Some(postgres) = TestApp::spawn(Backend::Postgres).await else {
        return;
    };
    let sqlite = TestApp::spawn(Backend::Sqlite).await.expect("sqlite");
    let (sqlite, postgres) = (schema_of(&sqlite).await, schema_of(&postgres).await);
    assert!(
        sqlite
            .iter()
            .any(|l| l.starts_with("column accounts.email")),
        "{sqlite:?}"
    );
    assert!(
        sqlite
            .iter()
            .any(|l| l.starts_with("unique index accounts(email)")),
        "{sqlite:?}"
    );
    assert!(
        postgres.iter().any(|l| l.ends_with("(partial)")),
        "{postgres:?}"
    );
    let only = |a: &[String], b: &[String]| -> Vec<String> {
        a.iter().filter(|l| !b.contains(l)).cloned().collect()
    };
    assert_eq!(
        (only(&sqlite, &postgres), only(&postgres, &sqlite)),
        (Vec::new(), Vec::new()),
        "(only in SQLite, only in PostgreSQL)"
    );
}
