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

pub mod fake_push;
pub mod fake_stripe;
pub mod png;
pub mod receiver;
mod reply;
pub use reply::Reply;

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

fn in_ci() -> bool {
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
fn postgres_available() -> bool {
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

fn unique_name() -> String {
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
                .build()
                .expect("client"),
        }
    }

    pub fn url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("{}{path}", self.address)
        } else {
            format!("{}/api/v1/{path}", self.address)
        }
    }

    /// Sends a request; `path` without a leading `/` is relative to `/api/v1/`.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        Reply::from(req.send().await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: &str) -> Reply {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Creates an account directly (as `create-admin` or the partner form would); returns its id.
    pub async fn create_account(
        &self,
        role: Role,
        status: AccountStatus,
        email: &str,
        partner_id: Option<i64>,
    ) -> i64 {
        let db = self.db.clone();
        let settings = self.settings.clone();
        let email = email.to_owned();
        tokio::task::spawn_blocking(move || {
            let mailer = api::mailer::Mailer::new(&settings);
            let mut conn = db.get().expect("connection");
            let spec = AccountSpec {
                email,
                password_hash: Some(password_hash().to_owned()),
                role,
                status,
                first_name: "Test".into(),
                last_name: format!("{role:?}"),
                company: Some(format!("{role:?} Company")),
                phone: None,
                country: Some("NL".into()),
                partner_id,
            };
            create_account(&mut conn, &mailer, &spec)
                .expect("account created")
                .id
        })
        .await
        .expect("blocking task")
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.post(
            "auth/login",
            None,
            json!({"email": email, "password": password}),
        )
        .await
    }

    /// Signs in and returns the access token.
    pub async fn token_for(&self, email: &str) -> String {
        let reply = self.login(email, PASSWORD).await;
        reply.assert_status(StatusCode::OK);
        reply.body["access_token"]
            .as_str()
            .expect("access token")
            .to_owned()
    }

    /// A new activated admin and its access token.
    pub async fn admin(&self) -> String {
        let email = format!("admin-{}@example.com", unique_name());
        self.create_account(Role::Admin, AccountStatus::Activated, &email, None)
            .await;
        self.token_for(&email).await
    }

    /// A new activated partner: (id, access token).
    pub async fn partner(&self, email: &str) -> (i64, String) {
        let id = self
            .create_account(Role::Partner, AccountStatus::Activated, email, None)
            .await;
        (id, self.token_for(email).await)
    }

    /// A new activated customer of `partner_id`: (id, access token).
    pub async fn customer(&self, email: &str, partner_id: Option<i64>) -> (i64, String) {
        let id = self
            .create_account(Role::Customer, AccountStatus::Activated, email, partner_id)
            .await;
        (id, self.token_for(email).await)
    }

    /// Creates an app as `token` from `body` (kind, name and edition filled in when absent);
    /// returns the app.
    ///
    /// A Standard app is made Basic and then granted Standard by an administrator: an app is
    /// Standard by its subscription, or by such a grant.
    pub async fn create_app(&self, token: &str, body: Value) -> Value {
        let mut form = json!({"name": "Shop App", "kind": "standalone", "edition": "basic"});
        if let (Some(form), Some(body)) = (form.as_object_mut(), body.as_object()) {
            form.extend(body.clone());
        }
        let standard = form["edition"] == "standard";
        form["edition"] = json!("basic");
        let reply = self.post("apps", Some(token), form).await;
        reply.assert_status(StatusCode::CREATED);
        if !standard {
            return reply.body;
        }
        let id = reply.body["id"].as_str().expect("id");
        let granted = self
            .patch(
                &format!("apps/{id}"),
                &self.admin().await,
                json!({"edition": "standard"}),
            )
            .await;
        granted.assert_status(StatusCode::OK);
        granted.body
    }

    /// Sends an SDK request with the app key `key`.
    pub async fn sdk(&self, path: &str, key: &str, body: Value) -> Reply {
        let req = self
            .client
            .post(self.url(&format!("sdk/{path}")))
            .header("X-App-Key", key)
            .json(&body);
        Reply::from(req.send().await.expect("request sent")).await
    }

    /// Registers a device by the SDK; `extra` overrides the defaults (an iPhone with push).
    pub async fn register_device(&self, key: &str, installation_id: &str, extra: Value) -> Reply {
        let mut form = json!({"installation_id": installation_id, "platform": "ios", "model": "iPhone 15",
            "os_version": "17.4", "app_version": "2.0.0", "push_enabled": true, "push_token": "tok"});
        if let (Some(form), Some(extra)) = (form.as_object_mut(), extra.as_object()) {
            form.extend(extra.clone());
        }
        self.sdk("devices", key, form).await
    }

    /// Sends every webhook delivery due at the server's clock, as its sender job would.
    pub async fn deliver_webhooks(&self) -> api::webhooks::sender::Report {
        let mailer = api::mailer::Mailer::new(&self.settings);
        let sender = api::webhooks::sender::Sender::new(&self.settings, mailer).expect("sender");
        sender
            .deliver_due(&self.db, &self.clock)
            .await
            .expect("delivery round")
    }

    /// Does every push job due at the server's clock, as its sender would: starts scheduled
    /// messages, fans out, sends.
    pub async fn send_pushes(&self) -> api::push::sender::Report {
        api::push::sender::send_due(&self.push, &self.db, &self.clock)
            .await
            .expect("push round")
    }

    /// The token from the newest email to `to` (read through the admin outbox API).
    pub async fn link_token_sent_to(&self, admin_token: &str, to: &str) -> String {
        let reply = self.get(&format!("outbox?to={to}"), admin_token).await;
        reply.assert_status(StatusCode::OK);
        let body = reply.body["items"][0]["body"]
            .as_str()
            .expect("an email to this address");
        body.split("token=")
            .nth(1)
            .expect("a link")
            .split_whitespace()
            .next()
            .expect("token")
            .to_owned()
    }
}
