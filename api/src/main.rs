use anyhow::Context;
use clap::Parser;
use validator::Validate;

use api::cli::{Cli, Command};
use api::db::Db;
use api::settings::Settings;
use api::startup::Application;
use api::{openapi, seed, telemetry};

/// See `jemalloc` in Cargo.toml: peak memory under load is measured with it (bench/customers.sh).
#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> anyhow::Result<()> {
    // A missing .env is normal; real environment variables win over it.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    telemetry::init(cli.settings.log_format);
    let settings = cli.settings;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings),
        Command::Migrate => {
            open_db(&settings)?.migrate()?;
            println!("database is up to date");
            Ok(())
        }
        Command::ResetTwoFactor { email } => {
            let db = open_db(&settings)?;
            db.migrate()?;
            let email = types::email::Email::parse(&email);
            let mut conn = db
                .get()
                .map_err(|e| anyhow::anyhow!("database unavailable: {e}"))?;
            let found = diesel::Connection::transaction(&mut *conn, |conn| {
                api::auth::two_factor::reset(conn, &email)
            })
            .map_err(|e| anyhow::anyhow!("{e}"))?;
            match found {
                Some(account) => println!(
                    "two-step sign-in of {} is off, and its sessions ended: the password alone signs in",
                    account.email
                ),
                None => anyhow::bail!("no account has the email {}", email.as_str()),
            }
            Ok(())
        }
        Command::CreateAdmin {
            email,
            password,
            first_name,
            last_name,
        } => {
            let form = types::auth::NewAdmin {
                email,
                password,
                first_name,
                last_name,
            };
            if let Err(errors) = form.validate() {
                for e in types::problem::field_errors(&errors) {
                    eprintln!("{}: {}", e.field, e.message);
                }
                anyhow::bail!("invalid administrator details");
            }
            let db = open_db(&settings)?;
            db.migrate()?;
            let account = seed::create_admin(&db, &settings, &form)?;
            println!(
                "administrator {} created (id {})",
                account.email, account.id
            );
            Ok(())
        }
        Command::SeedDemo => {
            let db = open_db(&settings)?;
            db.migrate()?;
            seed::seed_demo(&db, &settings)?;
            seed::print_logins(&settings.public_url());
            Ok(())
        }
        Command::BillingRun => {
            let db = open_db(&settings)?;
            db.migrate()?;
            let billing =
                api::billing::Billing::new(&settings, api::mailer::Mailer::new(&settings))?;
            let started = std::time::Instant::now();
            let mut conn = db.get()?;
            let report = api::billing::renewal::run_due(&mut conn, &billing, api::clock::now())
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "billing run: {} subscriptions rolled, {} charges retried, in {:.2} s",
                report.rolled,
                report.retried,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::RebuildAnalytics { app } => {
            let db = open_db(&settings)?;
            db.migrate()?;
            let started = std::time::Instant::now();
            let mut conn = db.get()?;
            let (apps, read) = api::db::rollups::rebuild_all(&mut conn, app)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "analytics rollups rebuilt: {apps} apps, {} events, {} installs, in {:.2} s",
                read.events,
                read.installs,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Openapi { output } => {
            let json = openapi::spec_json();
            match output {
                Some(path) => std::fs::write(&path, json)
                    .with_context(|| format!("writing {}", path.display()))?,
                None => print!("{json}"),
            }
            Ok(())
        }
    }
}

fn open_db(settings: &Settings) -> anyhow::Result<Db> {
    Db::new(
        &settings.database_url,
        2,
        std::time::Duration::from_secs(settings.db_pool_timeout_secs.max(10)),
    )
}

#[actix_web::main]
async fn serve(mut settings: Settings) -> anyhow::Result<()> {
    settings.resolve_jwt_secret()?;
    let public_url = settings.public_url();
    let app = Application::build(settings)?;
    tracing::info!(url = %public_url, port = app.port(), "back office listening; API docs at {public_url}/docs/");
    app.run_until_stopped().await?;
    Ok(())
}
