//! `TestApp`: the real server on a free port with a fresh database, and typed helpers to drive it
//! like an integrator would.

use std::sync::OnceLock;

use api::db::Db;
use api::onboarding::{create_account, AccountSpec};
use api::settings::{Environment, LogFormat, PaymentProviderKind, PushGateway, Settings};
use api::startup::Application;
use diesel::{Connection, RunQueryDsl};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use types::accounts::{AccountStatus, Role};

mod calls;
pub mod fake_push;
pub mod fake_stripe;
pub mod png;
pub mod receiver;
mod reply;
pub use reply::Reply;

mod databases;
pub use databases::*;

/// Serves `handler` for every path on a free local port (the fakes of outside services), with
/// `state` as its `web::Data`; the port.
pub fn serve_locally<S, F, Args>(state: std::sync::Arc<S>, handler: F) -> u16
where
    S: Send + Sync + 'static,
    F: actix_web::Handler<Args> + Send,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    use actix_web::{web, App, HttpServer};
    let shared = web::Data::from(state);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("port").port();
    let server = HttpServer::new(move || {
        App::new()
            .app_data(shared.clone())
            .default_service(web::to(handler.clone()))
    })
    .workers(1)
    // HTTP/1.1, or HTTP/2 in clear for clients that start with it (the push providers' fakes).
    .listen_auto_h2c(listener)
    .expect("listen")
    .run();
    tokio::spawn(server);
    port
}

pub const JWT_SECRET: &str = "test-secret-0123456789abcdef0123456789";
pub const PASSWORD: &str = "correct horse 42";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each test body once on SQLite and once on PostgreSQL: `<test>::sqlite`, `<test>::postgres`.
#[macro_export]
macro_rules! both_backends {
    ($( $(#[$meta:meta])* async fn $name:ident($app:ident) $body:block )*) => { $(
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn run($app: $crate::helpers::TestApp) $body

            #[tokio::test]
            async fn sqlite() {
                run($crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite).await.expect("sqlite")).await
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(app) = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await {
                    run(app).await
                }
            }
        }
    )* };
}

pub struct TestApp {
    pub address: String,
    pub db: Db,
    /// The server's clock: `app.clock.advance(…)` makes it later for the server.
    pub clock: api::clock::Clock,
    pub settings: Settings,
    pub client: reqwest::Client,
    /// The push gateways the tests' own sender rounds use (`send_pushes`).
    pub push: std::sync::Arc<api::push::Push>,
    /// Stops the server when the test ends ([`Drop`]).
    server: actix_web::dev::ServerHandle,
    /// The thread serving until then.
    serving: Option<std::thread::JoinHandle<()>>,
}

/// A test's server ends with its test: gracefully, and its worker threads' database connections
/// closed before the next test starts or the binary exits. (Left to the test runtime's end, actix
/// stops the workers without waiting for them, and a pool still closing its connections on one
/// while `exit()` tore OpenSSL or libpq down crashed the binary with SIGSEGV now and then.)
impl Drop for TestApp {
    fn drop(&mut self) {
        // Our keep-alive connections first: a graceful stop waits for open connections.
        self.client = reqwest::Client::new();
        drop(self.server.stop(true));
        if let Some(serving) = self.serving.take() {
            let _ = serving.join();
        }
    }
}

pub fn test_settings(database_url: String) -> Settings {
    Settings {
        database_url,
        bind_addr: "127.0.0.1:0".into(),
        app_env: Environment::Development,
        jwt_secret: Some(JWT_SECRET.into()),
        public_url: Some("http://backoffice.test".into()),
        log_format: LogFormat::Pretty,
        smtp_url: None,
        smtp_from: "Back Office <no-reply@backoffice.test>".into(),
        web_dist: "web/dist".into(),
        db_pool_size: Some(4),
        db_pool_timeout_secs: 2,
        // A connection a test left open (a slow client, say) holds its server's end this long.
        shutdown_grace_secs: 2,
        login_rate_limit: 50,
        login_failures_per_account: 50,
        login_failures_per_address: 500,
        sdk_rate_limit: 10_000,
        body_limit_bytes: 256 * 1024,
        trust_proxy: false,
        workers: Some(2),
        payment_provider: PaymentProviderKind::Test,
        stripe_secret_key: None,
        stripe_webhook_secret: None,
        stripe_api_base: "http://127.0.0.1:9".into(),
        assets_dir: std::env::temp_dir()
            .join("backoffice-tests")
            .join(format!("assets-{}", unique_name()))
            .display()
            .to_string(),
        analytics_fold_secs: 1,
        // Tests send webhooks themselves (`TestApp::deliver_webhooks`), at the instants they choose.
        webhook_poll_ms: 0,
        webhook_allow_loopback: true,
        metrics_token: None,
        partner_coupon_max_percent_off: 20,
        publish_alert_hours: 72,
        seller_name: "Mobile Back Office SAS".into(),
        seller_address: "1 Example Street\n75001 Paris\nFrance".into(),
        seller_vat_id: Some("FR40303265045".into()),
        seller_country: "FR".into(),
        vat_rate_bp: 2000,
        push_gateway: PushGateway::Live,
        // Tests send pushes themselves (`TestApp::send_pushes`), at the instants they choose.
        push_poll_ms: 0,
        fcm_api_base: "http://127.0.0.1:9".into(),
        fcm_token_url: "http://127.0.0.1:9/token".into(),
        apns_api_base: "http://127.0.0.1:9".into(),
        apns_sandbox_api_base: "http://127.0.0.1:9".into(),
        credentials_key: None,
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, |_| {}).await
    }

    /// Starts a server with `configure` applied to the test settings; `None` when the backend is
    /// unavailable outside CI.
    pub async fn spawn_with(
        backend: Backend,
        configure: impl FnOnce(&mut Settings),
    ) -> Option<Self> {
        if backend == Backend::Postgres && !postgres_available() {
            return None;
        }
        let mut settings = test_settings(fresh_database(backend));
        configure(&mut settings);
        Some(Self::start(settings))
    }

    pub fn start(settings: Settings) -> Self {
        if std::env::var("TEST_LOG").is_ok() {
            api::telemetry::init(LogFormat::Pretty);
        }
        let app = Application::build(settings.clone()).expect("server builds");
        let port = app.port();
        let clock = app.clock();
        let server = app.handle();
        // Served from a thread of its own, so that `Drop` can wait for it from the test's.
        let serving = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(app.run_until_stopped())
                .expect("served");
        });
        let db = Db::new(&settings.database_url, 2, std::time::Duration::from_secs(5))
            .expect("db")
            .with_clock(clock.clone());
        Self {
            address: format!("http://127.0.0.1:{port}"),
            server,
            serving: Some(serving),
            db,
            clock,
            push: std::sync::Arc::new(api::push::Push::new(&settings).expect("push gateways")),
            settings,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                // The server closes a connection idle for 5 s (actix's keep-alive): a client that
                // reuses one at that moment sees it closed under its request (it happened after a
                // test's 5 s of seeding). Idle connections are dropped here first.
                .pool_idle_timeout(std::time::Duration::from_secs(2))
                .build()
                .expect("client"),
        }
    }
}
