//! The command line: `serve` (default), `migrate`, `create-admin`, `seed-demo`, `billing-run`,
//! `rebuild-analytics`, `openapi`.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::settings::Settings;

#[derive(Debug, Parser)]
#[command(
    name = "backoffice",
    version,
    about = "Back office for mobile shopping apps: the API server and its tools."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub settings: Settings,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default): API, docs, health, metrics and the SPA.
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Create an activated administrator account.
    CreateAdmin {
        /// The administrator's email, which is also the username.
        #[arg(long)]
        email: String,
        /// At least 10 characters, mixing letters with digits or symbols.
        #[arg(long, env = "ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long, default_value = "Admin")]
        first_name: String,
        #[arg(long, default_value = "User")]
        last_name: String,
    },
    /// Turn off the two-step sign-in of an account whose person lost its phone and its recovery
    /// codes (after checking who asks, out of band): the password alone signs in again, and
    /// every session of the account ends. Audited as `two_factor.reset`.
    ResetTwoFactor {
        /// The account's email.
        #[arg(long)]
        email: String,
    },
    /// Fill the database with demo accounts (idempotent) and print their logins.
    SeedDemo,
    /// Run the billing job once, now: bill ended periods, retry failed charges, expire unpaid new
    /// subscriptions; print what it did. Every `serve` process also runs it every 30 seconds.
    BillingRun,
    /// Rebuild the analytics rollups from the stored events and devices (of every app, or of one),
    /// then print what was read. Stores of the app's events wait while its rollups are rebuilt.
    RebuildAnalytics {
        /// Only this app (its numeric id).
        #[arg(long)]
        app: Option<i64>,
    },
    /// Print the OpenAPI document (or write it to a file).
    Openapi {
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}
