//! Builds the HTTP server: state, routes, docs, middleware, and the background workers.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;
use types::ErrorCode;

use actix_web::dev::Server;
use actix_web::http::header;
use actix_web::middleware::{from_fn, Compress, DefaultHeaders};
use actix_web::{web, App, HttpServer};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::clock::Clock;
use crate::db::Db;
use crate::error::{ApiError, AppError};
use crate::routes::fallback::{not_found_or_not_allowed, RouteTable, WebDist};
use crate::routes::health::SpecJson;
use crate::settings::Settings;
use crate::state::AppState;

pub struct Application {
    port: u16,
    server: Server,
    clock: Clock,
    /// The state every worker holds: once nothing holds it, every worker's pools are closed.
    state: std::sync::Weak<AppState>,
}

impl Application {
    /// Connects the pool, migrates, binds `BIND_ADDR` (port 0 picks a free one) and prepares the
    /// server. Nothing is served until `run`.
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let settings = Arc::new(settings);
        let clock = Clock::default();
        let db = Db::new(
            &settings.database_url,
            settings.pool_size(),
            Duration::from_secs(settings.db_pool_timeout_secs),
        )?
        .with_clock(clock.clone());
        match db.migrate() {
            Ok(()) => {}
            // The server still starts: /health/ready and every request answer 503 until the
            // database is back, and the next start migrates.
            Err(e) => tracing::error!(error = %e, "could not migrate the database at start-up"),
        }
        let state = web::Data::new(AppState::new(settings.clone(), db.clone(), clock.clone())?);
        if state.mailer.delivers() {
            tokio::spawn(state.mailer.clone().run(db.clone()));
        }
        tokio::spawn(crate::billing::renewal::run(
            db.clone(),
            clock.clone(),
            state.billing.clone(),
        ));
        if settings.analytics_fold_secs > 0 {
            let period = Duration::from_secs(settings.analytics_fold_secs);
            tokio::spawn(crate::analytics::run_folds(db.clone(), period));
        }
        if settings.webhook_poll_ms > 0 {
            let sender = crate::webhooks::sender::Sender::new(&settings, state.mailer.clone())?;
            let period = Duration::from_millis(settings.webhook_poll_ms);
            tokio::spawn(std::sync::Arc::new(sender).run(db.clone(), clock.clone(), period));
        }
        if settings.push_poll_ms > 0 {
            let period = Duration::from_millis(settings.push_poll_ms);
            tokio::spawn(crate::push::sender::run(
                state.push.clone(),
                db.clone(),
                clock.clone(),
                period,
            ));
        }
        tokio::spawn(crate::quotes::run_expiry(db, clock.clone()));

        let listener = TcpListener::bind(&settings.bind_addr)?;
        let port = listener.local_addr()?.port();
        let spec = crate::openapi::spec();
        let routes = web::Data::new(RouteTable::from_spec(&spec));
        let spec_json = web::Data::new(SpecJson(crate::openapi::to_json(&spec)));
        let web_dist = web::Data::new(WebDist(settings.web_dist.clone()));
        if !settings.web_dist.join("index.html").exists() {
            tracing::warn!(dir = %settings.web_dist.display(), "no built SPA here (run `cargo xtask web`): serving the API only");
        }
        let body_limit = settings.body_limit_bytes;
        let held = Arc::downgrade(&state.clone().into_inner());

        let mut server =
            HttpServer::new(move || {
                App::new()
                    .app_data(state.clone())
                    .app_data(routes.clone())
                    .app_data(spec_json.clone())
                    .app_data(web_dist.clone())
                    .app_data(json_config(body_limit))
                    .app_data(query_config())
                    .app_data(path_config())
                    .service(web::scope("/api/v1").configure(crate::routes::configure))
                    .configure(crate::routes::health::configure)
                    // The UI loads the spec from the documented `/api/v1/openapi.json` route.
                    .service(
                        SwaggerUi::new("/docs/{_:.*}").config(Config::from("/api/v1/openapi.json")),
                    )
                    .service(web::redirect("/docs", "/docs/"))
                    // Hashed file names: a file never changes, so browsers may keep it for a year.
                    .service(
                        web::scope("/assets")
                            .wrap(DefaultHeaders::new().add((
                                header::CACHE_CONTROL,
                                "public, max-age=31536000, immutable",
                            )))
                            .route("/{file:.+}", web::get().to(crate::routes::assets::asset)),
                    )
                    .default_service(web::to(not_found_or_not_allowed))
                    .wrap(Compress::default())
                    .wrap(from_fn(crate::middleware::observe))
            })
            .listen(listener)?
            .shutdown_timeout(settings.shutdown_grace_secs);
        let workers = settings
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
        // Every blocking task holds (or waits for) a pooled connection: more blocking threads
        // than connections only add threads, memory and context switches.
        let blocking = (settings.pool_size() as usize).div_ceil(workers).max(2);
        server = server
            .workers(workers)
            .worker_max_blocking_threads(blocking);
        Ok(Self {
            port,
            server: server.run(),
            clock,
            state: held,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's clock (tests move it forward).
    pub fn clock(&self) -> Clock {
        self.clock.clone()
    }

    /// A handle that stops the server (`stop(true)` lets in-flight requests finish first).
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGTERM / SIGINT or [`Self::handle`]'s stop, lets in-flight requests finish
    /// (graceful shutdown), then returns once every worker thread has let go of the state, so
    /// that their database connections are closed before the process goes on to exit (worker
    /// threads are not joined by actix; a connection still closing on one of them while `exit()`
    /// tears the C libraries down is a crash).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await?;
        let released = std::time::Instant::now();
        while self.state.strong_count() > 0 && released.elapsed() < Duration::from_secs(10) {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(())
    }
}

fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |err, _req| {
            use actix_web::error::JsonPayloadError as E;
            let app = match &err {
                E::OverflowKnownLength { .. } | E::Overflow { .. } => AppError::new(
                    ErrorCode::PayloadTooLarge,
                    format!("The request body is over the limit of {limit} bytes."),
                ),
                E::ContentType => AppError::new(
                    ErrorCode::UnsupportedMediaType,
                    "Send the body as application/json.",
                ),
                E::Deserialize(e) if e.is_data() => AppError::validation(vec![types::FieldError {
                    field: "body".into(),
                    message: format!("must be a JSON object ({e})"),
                }]),
                E::Deserialize(e) => AppError::new(ErrorCode::MalformedBody, unreadable_json(e)),
                _ => AppError::new(
                    ErrorCode::MalformedBody,
                    "The JSON body could not be read to its end.",
                ),
            };
            ApiError(app).into()
        })
}

/// Why a body is not JSON, in our words (not the parser's): where it goes wrong, and nothing of
/// the parser's internals.
fn unreadable_json(e: &serde_json::Error) -> String {
    if e.to_string().contains("recursion limit") {
        return "The body nests too deeply (at most 128 levels of arrays and objects).".into();
    }
    match e.classify() {
        serde_json::error::Category::Eof => "The JSON body ends too early.".into(),
        _ => format!(
            "The body is not valid JSON (line {}, column {}).",
            e.line(),
            e.column()
        ),
    }
}

fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        let why = match err {
            actix_web::error::QueryPayloadError::Deserialize(e) => {
                crate::routes::extract::query_in_our_words(e.to_string())
            }
            other => other.to_string(),
        };
        ApiError(AppError::new(
            ErrorCode::InvalidQuery,
            format!("The query string is invalid: {why}"),
        ))
        .into()
    })
}

fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err, _req| ApiError(AppError::not_found()).into())
}
