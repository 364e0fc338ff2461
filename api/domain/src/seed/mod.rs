//! `create-admin` and `seed-demo`: accounts created through the same code as the API's.

use diesel::Connection;
use types::accounts::{AccountStatus, CreatePartner, Role};
use types::apps::{AppEdition, CreateApp};
use types::customers::CreateCustomer;

use crate::auth::password;
use crate::db::accounts::AccountRow;
use crate::db::audit::Actor;
use crate::db::Db;
use crate::demo_traffic::{self, DemoApp};

mod cast;
use crate::error::AppError;
use crate::mailer::Mailer;
use crate::onboarding::{create_account, AccountSpec};
use crate::policy::Scope;
use crate::settings::Settings;
use cast::{DemoCustomer, DEMO_APPS, DEMO_CUSTOMERS};

/// The password of every demo login.
pub const DEMO_PASSWORD: &str = "demo-password-1";
pub const DEMO_ADMIN: &str = "admin@demo.test";
pub const DEMO_PARTNERS: [&str; 2] = ["partner@demo.test", "agency@demo.test"];

pub fn create_admin(
    db: &Db,
    settings: &Settings,
    form: &types::auth::NewAdmin,
) -> anyhow::Result<AccountRow> {
    let hash = password::hash(&form.password)?;
    let spec = AccountSpec {
        email: types::email::Email::parse(&form.email),
        password_hash: Some(hash),
        role: Role::Admin,
        status: AccountStatus::Activated,
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        company: None,
        phone: None,
        country: None,
        partner_id: None,
    };
    let mailer = Mailer::new(settings);
    let mut conn = db_conn(db)?;
    let account = conn
        .transaction(|conn| new_admin(conn, &mailer, &spec))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(account)
}

/// An admin, made by the installation itself (there is no one to make the first).
fn new_admin(
    conn: &mut crate::db::DbConn,
    mailer: &Mailer,
    spec: &AccountSpec,
) -> Result<AccountRow, AppError> {
    let account = create_account(conn, mailer, spec)?;
    Actor::default().record(conn, "admin.create", "admin", Some(account.id.to_string()))?;
    Ok(account)
}

fn db_conn(
    db: &Db,
) -> anyhow::Result<diesel::r2d2::PooledConnection<crate::db::ConnectionManager>> {
    db.get()
        .map_err(|e| anyhow::anyhow!("database unavailable: {e}"))
}

fn demo_customer_email(c: &DemoCustomer) -> String {
    let name: String = c
        .first
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("{name}@customer.demo.test")
}

/// Creates the demo admin, two partners, a dozen customers across every status, their apps with
/// ~90 days of traffic, and the price list — unless the demo admin already exists. Everything
/// is made as the person who would make it, through the code the API runs (the admin makes the
/// partners and the plans, a partner its customers, a customer its apps and their
/// subscriptions), so that the activity pages tell the demo's story.
pub fn seed_demo(db: &Db, settings: &Settings) -> anyhow::Result<()> {
    let mailer = Mailer::new(settings);
    let hash = password::hash(DEMO_PASSWORD)?;
    let mut conn = db_conn(db)?;
    conn.transaction(|conn| {
        if AccountRow::find_by_email(conn, &types::email::Email::parse(DEMO_ADMIN))?.is_some() {
            return Ok::<_, AppError>(());
        }
        let now = crate::clock::now();
        let admin = new_admin(
            conn,
            &mailer,
            &AccountSpec {
                email: types::email::Email::parse(DEMO_ADMIN),
                password_hash: Some(hash.clone()),
                role: Role::Admin,
                status: AccountStatus::Activated,
                first_name: "Ada".into(),
                last_name: "Admin".into(),
                company: None,
                phone: None,
                country: None,
                partner_id: None,
            },
        )?;
        let partner = |(email, first, last, company, country): (&str, &str, &str, &str, &str)| {
            CreatePartner {
                email: email.into(),
                first_name: first.into(),
                last_name: last.into(),
                company: company.into(),
                phone: None,
                country: Some(country.into()),
                status: Some(AccountStatus::Activated),
                password: None,
            }
        };
        let mut partners = Vec::new();
        for (email, names) in DEMO_PARTNERS.into_iter().zip([
            ("Peter", "Partner", "Appmakers Agency", "NL"),
            ("Anna", "Agency", "Mobile First Studio", "DE"),
        ]) {
            let (first, last, company, country) = names;
            let body = partner((email, first, last, company, country));
            partners.push(crate::partners::create(
                conn,
                &acting(&admin),
                &mailer,
                body,
                Some(hash.clone()),
            )?);
        }
        let mut customers = Vec::new();
        for (i, c) in DEMO_CUSTOMERS.iter().enumerate() {
            let partner = &partners[i % 2];
            let body = CreateCustomer {
                email: demo_customer_email(c),
                first_name: c.first.into(),
                last_name: c.last.into(),
                company: Some(c.company.into()),
                phone: None,
                country: Some(c.country.into()),
                status: c.status,
                password: None,
                partner_id: None,
            };
            let scope = Scope::for_account(partner.id, Role::Partner);
            let customer = crate::customers::create(
                conn,
                (scope, &acting(partner)),
                (&mailer, None),
                body,
                Some(hash.clone()),
            )?;
            customers.push(customer);
        }
        let yearly = seed_plans(conn, &acting(&admin), now)?;
        // Demo data moves no money, whichever provider the installation uses.
        let test_provider = crate::settings::Settings {
            payment_provider: crate::settings::PaymentProviderKind::Test,
            ..settings.clone()
        };
        let billing = crate::billing::Billing::new(&test_provider, mailer.clone())
            .map_err(AppError::internal)?;
        let owners = [
            &customers[0],
            &customers[0],
            &customers[1],
            &customers[2],
            &partners[0],
        ];
        for (seed, (owner, spec)) in (1_u64..).zip(owners.into_iter().zip(&DEMO_APPS)) {
            seed_app(conn, (&billing, &yearly), owner, spec, seed, now)?;
        }
        Actor::default().record(conn, "demo.seed", "installation", None)?;
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// `account` acting, as when it signed in itself.
fn acting(account: &AccountRow) -> Actor {
    Actor::for_account(&account.principal(), None, None)
}

/// The price list; the yearly Standard plan, which every Standard demo app is on.
fn seed_plans(
    conn: &mut crate::db::DbConn,
    admin: &Actor,
    now: chrono::NaiveDateTime,
) -> Result<crate::db::plans::PlanRow, AppError> {
    use types::billing::{BillingInterval, CreatePlan};
    let mut plans = [
        (
            "Basic monthly",
            AppEdition::Basic,
            BillingInterval::Month,
            1_900,
            0,
        ),
        (
            "Standard monthly",
            AppEdition::Standard,
            BillingInterval::Month,
            4_900,
            14,
        ),
        (
            "Standard yearly",
            AppEdition::Standard,
            BillingInterval::Year,
            49_000,
            0,
        ),
    ]
    .into_iter()
    .map(|(name, edition, interval, price, trial_days)| {
        let body = CreatePlan {
            name: name.into(),
            edition,
            interval,
            price,
            currency: "EUR".into(),
            trial_days,
            active: Some(true),
            publish_in_trial: Some(trial_days > 0),
        };
        crate::billing::create_plan(conn, admin, &body, now)
    })
    .collect::<Result<Vec<_>, _>>()?;
    plans
        .pop()
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("no yearly plan")))
}

/// Makes the demo app `spec` as its `owner` would: created (as Basic), for a Standard one
/// subscribed to `yearly` and paid with Stripe's test card (the payment makes it Standard, as
/// in real life), then filled with traffic and a few push messages.
fn seed_app(
    conn: &mut crate::db::DbConn,
    (billing, yearly): (&crate::billing::Billing, &crate::db::plans::PlanRow),
    owner: &AccountRow,
    spec: &DemoApp,
    seed: u64,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    let actor = acting(owner);
    let body = CreateApp {
        name: spec.name.into(),
        kind: spec.kind,
        edition: AppEdition::Basic,
        owner_id: None,
        store_url: spec.store_url.map(Into::into),
        icon_url: None,
        ios_bundle_id: Some(format!("com.demo.app{seed}")),
        android_package_name: Some(format!("com.demo.app{seed}")),
    };
    let scope = Scope::for_account(owner.id, owner.role());
    let created_at = demo_traffic::created_at(now);
    let (app, _) = crate::apps::create(conn, scope, &actor, None, body, created_at)?;
    if spec.edition == AppEdition::Standard {
        let (sub, _) = crate::billing::start(conn, (billing, &actor), (&app, yearly), None, now)?;
        crate::billing::pay_with(conn, (billing, &actor), &sub, "pm_card_visa", now)??;
    }
    let (app, _) = crate::db::apps::AppRow::find_with_owner(conn, app.id)?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("the demo app is gone")))?;
    demo_traffic::fill(conn, &app, spec, seed, now)?;
    crate::push::seed_demo(conn, app.id, now)?;
    Ok(())
}

pub fn print_logins(public_url: &str) {
    println!("Demo logins (password for all: {DEMO_PASSWORD}):");
    println!("  admin     {DEMO_ADMIN}");
    for p in DEMO_PARTNERS {
        println!("  partner   {p}");
    }
    println!("  customer  {}", demo_customer_email(&DEMO_CUSTOMERS[0]));
    println!("Back office: {public_url}/   API docs: {public_url}/docs/");
}
