//! The databases tests run on: a fresh SQLite file or PostgreSQL database per server, and whether PostgreSQL is there.

use super::*;

pub(super) fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The stored hash of [`PASSWORD`] for the accounts tests make directly: one argon2id hash for the
/// whole run, at the smallest cost (m = 1 MiB, t = 1), which a sign-in reads from the hash itself.
/// Thousands of sign-ins at the real cost (19 MiB, t = 2) would spend a minute of CPU on hashing;
/// the real cost is what passwords chosen through the API get (activation, reset, change).
pub fn password_hash() -> &'static str {
    use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        let params = argon2::Params::new(1024, 1, 1, None).expect("argon2 parameters");
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(PASSWORD.as_bytes(), &SaltString::generate(&mut OsRng))
            .expect("hash")
            .to_string()
    })
}

/// The PostgreSQL server that test databases are created on.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// Whether PostgreSQL is reachable; in CI its absence fails the run, elsewhere it skips loudly.
pub(super) fn postgres_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(
        || match diesel::PgConnection::establish(&postgres_admin_url()) {
            Ok(_) => true,
            Err(e) if in_ci() => panic!(
                "CI=true but PostgreSQL at {} is unreachable: {e}",
                postgres_admin_url()
            ),
            Err(e) => {
                eprintln!(
                    "\n!!! SKIPPING PostgreSQL tests: {} is unreachable ({e}). CI requires it.\n",
                    postgres_admin_url()
                );
                false
            }
        },
    )
}

pub(super) fn unique_name() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().gen();
    format!("bo_test_{}_{n:016x}", std::process::id())
}

/// A fresh, empty database of `backend`; its URL.
pub fn fresh_database(backend: Backend) -> String {
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("backoffice-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            dir.join(format!("{}.db", unique_name()))
                .display()
                .to_string()
        }
        Backend::Postgres => {
            let name = unique_name();
            let mut conn =
                diesel::PgConnection::establish(&postgres_admin_url()).expect("postgres");
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .expect("create database");
            let base = postgres_admin_url();
            let (server, admin_db) = base.rsplit_once('/').expect("url with a database");
            // Without TLS or GSSAPI unless the URL asks for them (the local server offers TLS):
            // no connection of a pool on another thread is then inside OpenSSL or Kerberos while
            // `exit()` tears their globals down (a crash seen at exit, once TLS was on).
            let params = match admin_db.split_once('?') {
                Some((_, params)) => format!("?{params}"),
                None => "?sslmode=disable&gssencmode=disable".into(),
            };
            format!("{server}/{name}{params}")
        }
    }
}
