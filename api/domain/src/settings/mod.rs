//! Configuration: environment variables (12-factor) with defaults, read once in `main` into one
//! typed `Settings` that is passed down. Each field is also a `serve` flag; `--help` lists them.

use std::path::{Path, PathBuf};

use anyhow::Context;

mod derived;
pub use derived::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Environment {
    Development,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PaymentProviderKind {
    Test,
    Stripe,
}

/// How pushes leave: `log` records them in the server log only; `live` sends them through FCM
/// and APNs for apps with credentials (and logs the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PushGateway {
    Log,
    Live,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// `postgres://user@host/db` for PostgreSQL; otherwise the path of a SQLite file.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "data/backoffice.db",
        global = true
    )]
    pub database_url: String,

    /// Address and port the HTTP server listens on.
    #[arg(
        long,
        env = "BIND_ADDR",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind_addr: String,

    /// `development` or `production`. Production refuses to start without JWT_SECRET.
    #[arg(
        long,
        env = "APP_ENV",
        value_enum,
        default_value = "development",
        global = true
    )]
    pub app_env: Environment,

    /// Secret that signs access tokens (HS256), 32+ characters. In development, generated once
    /// and kept in `data/jwt_secret` when unset.
    #[arg(long, env = "JWT_SECRET", hide_env_values = true, global = true)]
    pub jwt_secret: Option<String>,

    /// The URL people reach the back office at; used for links in emails.
    #[arg(long, env = "PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// `pretty` for people, `json` for log collectors. Levels come from RUST_LOG.
    #[arg(
        long,
        env = "LOG_FORMAT",
        value_enum,
        default_value = "pretty",
        global = true
    )]
    pub log_format: LogFormat,

    /// `smtp://user:pass@host:587` (STARTTLS with `?tls=required`) or `smtps://…`. Unset: emails
    /// are only logged and kept in the outbox.
    #[arg(long, env = "SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<String>,

    /// The From address of outgoing email.
    #[arg(
        long,
        env = "SMTP_FROM",
        default_value = "Back Office <no-reply@localhost>",
        global = true
    )]
    pub smtp_from: String,

    /// Directory of the built SPA that is served at `/`.
    #[arg(long, env = "WEB_DIST", default_value = "web/dist", global = true)]
    pub web_dist: PathBuf,

    /// Largest number of database connections in the pool (default: see `pool_size`).
    #[arg(long, env = "DB_POOL_SIZE", global = true)]
    pub db_pool_size: Option<u32>,

    /// Seconds a request waits for a free database connection before it gets 503.
    #[arg(long, env = "DB_POOL_TIMEOUT_SECS", default_value_t = 3, global = true)]
    pub db_pool_timeout_secs: u64,

    /// Seconds a stopping server (SIGTERM / SIGINT) gives in-flight requests to finish before it
    /// closes their connections.
    #[arg(
        long,
        env = "SHUTDOWN_GRACE_SECONDS",
        default_value_t = 25,
        global = true
    )]
    pub shutdown_grace_secs: u64,

    /// Sign-ups and password-reset requests allowed per minute from one IP address, and (resets)
    /// for one email address.
    #[arg(long, env = "LOGIN_RATE_LIMIT", default_value_t = 10, global = true)]
    pub login_rate_limit: u32,

    /// Failed sign-ins allowed for one email address in 15 minutes; beyond, its sign-ins get 429
    /// until the window ends (a successful sign-in starts the count afresh).
    #[arg(
        long,
        env = "LOGIN_FAILURES_PER_ACCOUNT",
        default_value_t = 10,
        global = true
    )]
    pub login_failures_per_account: u32,

    /// Failed sign-ins allowed from one IP address in 15 minutes, whatever the accounts: much
    /// higher than per account, since a whole office signs in from one address.
    #[arg(
        long,
        env = "LOGIN_FAILURES_PER_ADDRESS",
        default_value_t = 100,
        global = true
    )]
    pub login_failures_per_address: u32,

    /// SDK requests allowed per minute for one app key.
    #[arg(long, env = "SDK_RATE_LIMIT", default_value_t = 1200, global = true)]
    pub sdk_rate_limit: u32,

    /// Largest accepted JSON body, in bytes.
    #[arg(
        long,
        env = "BODY_LIMIT_BYTES",
        default_value_t = 262_144,
        global = true
    )]
    pub body_limit_bytes: usize,

    /// Take the client IP from `X-Forwarded-For` / `Forwarded` (only behind a trusted proxy).
    #[arg(long, env = "TRUST_PROXY", default_value_t = false, global = true)]
    pub trust_proxy: bool,

    /// HTTP worker threads (default: one per CPU).
    #[arg(long, env = "WORKERS", global = true)]
    pub workers: Option<usize>,

    /// Who charges subscriptions: `test` (no money moves; Stripe's test payment method ids
    /// decide the outcome) or `stripe` (needs `STRIPE_SECRET_KEY` and `STRIPE_WEBHOOK_SECRET`).
    #[arg(
        long,
        env = "PAYMENT_PROVIDER",
        value_enum,
        default_value = "test",
        global = true
    )]
    pub payment_provider: PaymentProviderKind,

    /// Stripe's secret API key (`sk_live_…`, `sk_test_…`), for `PAYMENT_PROVIDER=stripe`.
    #[arg(long, env = "STRIPE_SECRET_KEY", global = true, hide_env_values = true)]
    pub stripe_secret_key: Option<String>,

    /// The signing secret (`whsec_…`) of the Stripe webhook endpoint pointed at
    /// `/api/v1/webhooks/stripe`.
    #[arg(
        long,
        env = "STRIPE_WEBHOOK_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub stripe_webhook_secret: Option<String>,

    /// Stripe's API address (tests point it at a local fake).
    #[arg(
        long,
        env = "STRIPE_API_BASE",
        default_value = "https://api.stripe.com",
        global = true
    )]
    pub stripe_api_base: String,

    /// The seller named on invoices.
    #[arg(
        long,
        env = "SELLER_NAME",
        default_value = "Mobile Back Office",
        global = true
    )]
    pub seller_name: String,

    /// The seller's postal address on invoices (`\n` separates lines).
    #[arg(
        long,
        env = "SELLER_ADDRESS",
        default_value = "1 Example Street\n75001 Paris\nFrance",
        global = true
    )]
    pub seller_address: String,

    /// The seller's VAT identification number, printed on invoices.
    #[arg(long, env = "SELLER_VAT_ID", global = true)]
    pub seller_vat_id: Option<String>,

    /// The seller's country (ISO 3166-1 alpha-2): decides which buyers pay VAT (see README).
    #[arg(long, env = "SELLER_COUNTRY", default_value = "FR", global = true)]
    pub seller_country: String,

    /// Where uploaded store assets are kept (content-addressed files).
    #[arg(long, env = "ASSETS_DIR", default_value = "data/assets", global = true)]
    pub assets_dir: String,

    /// Seconds between two runs of this server's analytics fold job, which moves what event
    /// intakes queued into the rollups (0: this server does not fold; at least one must).
    #[arg(long, env = "ANALYTICS_FOLD_SECS", default_value_t = 1, global = true)]
    pub analytics_fold_secs: u64,

    /// Milliseconds between two runs of this server's webhook sender (0: this server sends no
    /// webhooks; at least one must).
    #[arg(long, env = "WEBHOOK_POLL_MS", default_value_t = 1000, global = true)]
    pub webhook_poll_ms: u64,

    /// Let webhook endpoints be loopback addresses (`localhost`, `127.0.0.1`): for tests and
    /// development only. Private, link-local and metadata addresses stay refused.
    #[arg(
        long,
        env = "WEBHOOK_ALLOW_LOOPBACK",
        default_value_t = false,
        global = true
    )]
    pub webhook_allow_loopback: bool,

    /// The largest discount a partner's coupon may give, in percent of the plan's price (an
    /// amount-off coupon counts against the plans it names). Coupons above it, and 100 % off
    /// forever at any setting, are made by administrators only.
    #[arg(
        long,
        env = "PARTNER_COUPON_MAX_PERCENT_OFF",
        default_value_t = 20,
        global = true
    )]
    pub partner_coupon_max_percent_off: i32,

    /// The bearer token Prometheus sends to read `/metrics` (`Authorization: Bearer <token>`).
    /// Unset: `/metrics` answers only clients on this machine (loopback) and is a 404 to others.
    #[arg(long, env = "METRICS_TOKEN", global = true, hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Hours after which a publish request waiting at the store raises an alert.
    #[arg(long, env = "PUBLISH_ALERT_HOURS", default_value_t = 72, global = true)]
    pub publish_alert_hours: i64,

    /// The VAT rate charged, in basis points (2000 = 20 %).
    #[arg(long, env = "VAT_RATE_BP", default_value_t = 2000, global = true)]
    pub vat_rate_bp: i32,

    /// `log`: pushes are only recorded in the server log (demo, staging); `live`: apps with
    /// credentials send through FCM and APNs.
    #[arg(
        long,
        env = "PUSH_GATEWAY",
        value_enum,
        default_value = "log",
        global = true
    )]
    pub push_gateway: PushGateway,

    /// Milliseconds between two runs of this server's push sender when it has nothing to do (0:
    /// this server sends no pushes; at least one must). A send starts it at once.
    #[arg(long, env = "PUSH_POLL_MS", default_value_t = 1000, global = true)]
    pub push_poll_ms: u64,

    /// Firebase Cloud Messaging's API address (tests point it at a local fake).
    #[arg(
        long,
        env = "FCM_API_BASE",
        default_value = "https://fcm.googleapis.com",
        global = true
    )]
    pub fcm_api_base: String,

    /// Where FCM access tokens are obtained (Google's OAuth 2.0 token endpoint). A service
    /// account's own `token_uri` is not followed.
    #[arg(
        long,
        env = "FCM_TOKEN_URL",
        default_value = "https://oauth2.googleapis.com/token",
        global = true
    )]
    pub fcm_token_url: String,

    /// APNs' production address.
    #[arg(
        long,
        env = "APNS_API_BASE",
        default_value = "https://api.push.apple.com",
        global = true
    )]
    pub apns_api_base: String,

    /// APNs' development (sandbox) address.
    #[arg(
        long,
        env = "APNS_SANDBOX_API_BASE",
        default_value = "https://api.sandbox.push.apple.com",
        global = true
    )]
    pub apns_sandbox_api_base: String,

    /// 32 bytes, base64, that encrypt the push credentials kept in the database. Unset: derived
    /// from JWT_SECRET (then changing JWT_SECRET makes the stored credentials unreadable).
    #[arg(long, env = "CREDENTIALS_KEY", hide_env_values = true, global = true)]
    pub credentials_key: Option<String>,
}
