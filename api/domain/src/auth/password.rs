//! Password hashing with argon2id (m = 19 MiB, t = 2, p = 1: OWASP's recommendation).
//! Callers run these on the blocking pool: a hash takes tens of milliseconds on purpose.

use std::sync::OnceLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn argon2() -> Argon2<'static> {
    #[allow(clippy::unwrap_used)] // constant, valid parameters
    let params = Params::new(19 * 1024, 2, 1, None).unwrap();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// Hashes on the blocking pool: argon2 takes tens of milliseconds by design.
pub async fn hash_off_thread(password: String) -> crate::error::AppResult<String> {
    tokio::task::spawn_blocking(move || hash(&password))
        .await?
        .map_err(crate::error::AppError::internal)
}

/// Checks `password` against a stored hash. Without one (unknown account, or one that never set
/// a password) it checks a dummy hash anyway, so the answer takes the same time either way.
pub fn verify(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("not a real password 0").unwrap_or_default());
    let (phc, real) = match stored {
        Some(s) => (s, true),
        None => (dummy.as_str(), false),
    };
    let ok = PasswordHash::new(phc).is_ok_and(|parsed| {
        argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    });
    ok && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = hash("correct horse 42").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse 42", Some(&h)));
        assert!(!verify("wrong horse 42", Some(&h)));
    }

    #[test]
    fn no_stored_hash_never_verifies() {
        assert!(!verify("not a real password 0", None));
    }
}
