//! What the settings imply: the pool's size, the JWT key of a development install, Stripe's configuration.

use super::*;

impl Settings {
    /// The pool's size: `DB_POOL_SIZE`, else sized from this machine's cores — four connections
    /// per core on PostgreSQL, two on SQLite (one writer at a time; each connection keeps its own
    /// page cache). Measured on 2 cores (bench/ingest.sh): more connections than that only add
    /// memory and context switches; 16 ingested 15 % fewer events per second than 4.
    pub fn pool_size(&self) -> u32 {
        self.db_pool_size.unwrap_or_else(|| {
            let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
            let per_core = match crate::db::Backend::of(&self.database_url) {
                crate::db::Backend::Postgres => 4,
                crate::db::Backend::Sqlite => 2,
            };
            u32::try_from(cores * per_core).unwrap_or(u32::MAX).max(4)
        })
    }

    /// The Stripe settings when `PAYMENT_PROVIDER=stripe`; an error names what is missing.
    pub fn stripe(&self) -> anyhow::Result<Option<StripeConfig>> {
        if self.payment_provider != PaymentProviderKind::Stripe {
            return Ok(None);
        }
        let (Some(secret_key), Some(webhook_secret)) =
            (&self.stripe_secret_key, &self.stripe_webhook_secret)
        else {
            anyhow::bail!(
                "PAYMENT_PROVIDER=stripe needs STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET"
            );
        };
        Ok(Some(StripeConfig {
            secret_key: secret_key.clone(),
            api_base: self.stripe_api_base.clone(),
            webhook_secret: webhook_secret.clone(),
        }))
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind_addr))
            .trim_end_matches('/')
            .to_owned()
    }

    /// The JWT secret: from the environment, or in development one generated once and kept in a
    /// file beside the SQLite database (or in `data/`), so sessions survive a restart.
    pub fn resolve_jwt_secret(&mut self) -> anyhow::Result<()> {
        if let Some(secret) = &self.jwt_secret {
            anyhow::ensure!(
                secret.len() >= 32,
                "JWT_SECRET must be at least 32 characters"
            );
            return Ok(());
        }
        anyhow::ensure!(
            self.app_env == Environment::Development,
            "JWT_SECRET is required when APP_ENV=production"
        );
        let dir = match crate::db::Backend::of(&self.database_url) {
            crate::db::Backend::Sqlite => {
                Path::new(self.database_url.trim_start_matches("sqlite://"))
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
            }
            crate::db::Backend::Postgres => PathBuf::from("data"),
        };
        let path = dir.join("jwt_secret");
        let secret = match std::fs::read_to_string(&path) {
            Ok(secret) if secret.trim().len() >= 32 => secret.trim().to_owned(),
            _ => {
                std::fs::create_dir_all(&dir)?;
                let secret = crate::auth::secrets::random_token(48);
                std::fs::write(&path, &secret)
                    .with_context(|| format!("writing {}", path.display()))?;
                secret
            }
        };
        tracing::warn!(path = %path.display(), "JWT_SECRET is not set: using a generated development secret");
        self.jwt_secret = Some(secret);
        Ok(())
    }
}

/// Where and how to reach Stripe.
#[derive(Debug, Clone)]
pub struct StripeConfig {
    /// `sk_live_…` or `sk_test_…`.
    pub secret_key: String,
    /// `https://api.stripe.com` (a local fake in tests).
    pub api_base: String,
    /// The webhook endpoint's signing secret, `whsec_…`.
    pub webhook_secret: String,
}
