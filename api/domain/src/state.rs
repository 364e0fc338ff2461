//! What every handler can reach: built once at start-up, shared by all workers.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::jwt::JwtKeys;
use crate::auth::rate_limit::RateLimiter;
use crate::billing::Billing;
use crate::clock::Clock;
use crate::db::Db;
use crate::mailer::Mailer;
use crate::metrics::Metrics;
use crate::settings::Settings;

pub struct AppState {
    pub db: Db,
    /// What "now" is for time-dependent rules and jobs.
    pub clock: Clock,
    pub settings: Arc<Settings>,
    pub jwt: JwtKeys,
    pub mailer: Mailer,
    /// The payment provider and the seller on invoices.
    pub billing: Arc<Billing>,
    /// Uploaded store assets.
    pub assets: Arc<dyn crate::publishing::storage::AssetStore>,
    pub metrics: Metrics,
    /// Sign-ups and password-reset requests per client IP.
    pub login_by_ip: RateLimiter,
    /// Password-reset requests per email address.
    pub login_by_email: RateLimiter,
    /// Failed sign-ins per email address (OWASP: count failures, per account and per address).
    pub failed_logins_by_account: RateLimiter,
    /// Failed sign-ins per client IP, with a much higher ceiling (an office shares one address).
    pub failed_logins_by_ip: RateLimiter,
    /// Failed sign-ins from a browser that signed in to the account before (its device cookie),
    /// counted instead of the two above, so that strangers cannot lock its owner out.
    pub failed_logins_by_device: RateLimiter,
    /// Wrong second-factor codes per person (TOTP and recovery codes).
    pub failed_second_factors: RateLimiter,
    /// SDK requests per app key.
    pub sdk_by_key: RateLimiter,
    /// Emails about an account (activation links, sign-up notices) per address, so that nobody
    /// can use the back office to flood someone's inbox.
    pub mails_per_address: RateLimiter,
    /// The push gateways, the sealer of push credentials, and the sender's bell.
    pub push: Arc<crate::push::Push>,
}

/// Emails about an account that one address may receive in an hour (sign-ups, resent links).
pub const ACCOUNT_MAILS_PER_HOUR: u32 = 5;

/// The window failed sign-ins are counted over.
pub const FAILED_LOGIN_WINDOW: Duration = Duration::from_secs(15 * 60);

impl AppState {
    pub fn new(settings: Arc<Settings>, db: Db, clock: Clock) -> anyhow::Result<Self> {
        let secret = settings
            .jwt_secret
            .clone()
            .ok_or_else(|| anyhow::anyhow!("JWT secret not resolved"))?;
        let minute = Duration::from_secs(60);
        let mailer = Mailer::new(&settings);
        Ok(Self {
            jwt: JwtKeys::new(&secret),
            billing: Arc::new(Billing::new(&settings, mailer.clone())?),
            assets: Arc::new(crate::publishing::storage::DiskStore::new(
                &settings.assets_dir,
            )),
            mailer,
            metrics: Metrics::new()?,
            login_by_ip: RateLimiter::new(settings.login_rate_limit, minute),
            login_by_email: RateLimiter::new(settings.login_rate_limit, minute),
            failed_logins_by_account: RateLimiter::new(
                settings.login_failures_per_account,
                FAILED_LOGIN_WINDOW,
            ),
            failed_logins_by_ip: RateLimiter::new(
                settings.login_failures_per_address,
                FAILED_LOGIN_WINDOW,
            ),
            failed_logins_by_device: RateLimiter::new(
                settings.login_failures_per_account,
                FAILED_LOGIN_WINDOW,
            ),
            // Ten wrong codes in 15 minutes: a million-to-one guess needs years at this pace.
            failed_second_factors: RateLimiter::new(10, FAILED_LOGIN_WINDOW),
            sdk_by_key: RateLimiter::new(settings.sdk_rate_limit, minute),
            mails_per_address: RateLimiter::new(ACCOUNT_MAILS_PER_HOUR, Duration::from_secs(3600)),
            push: Arc::new(crate::push::Push::new(&settings)?),
            // Whatever the caller built it with, the store reads this server's clock.
            db: db.with_clock(clock.clone()),
            clock,
            settings,
        })
    }
}
