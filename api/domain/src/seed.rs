//! `create-admin` and `seed-demo`: accounts created through the same code as the API's.

use diesel::Connection;
use types::accounts::{AccountStatus, Role};
use types::apps::{AppEdition, AppKind};

use crate::auth::password;
use crate::db::accounts::AccountRow;
use crate::db::audit::Actor;
use crate::db::Db;
use crate::demo_traffic::{self, DemoApp};
use crate::error::AppError;
use crate::mailer::Mailer;
use crate::onboarding::{create_account, AccountSpec};
use crate::settings::Settings;

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
        .transaction(|conn| {
            let account = create_account(conn, &mailer, &spec)?;
            Actor::default().record(conn, "admin.create", "admin", Some(account.id.to_string()))?;
            Ok::<_, AppError>(account)
        })
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(account)
}

fn db_conn(
    db: &Db,
) -> anyhow::Result<diesel::r2d2::PooledConnection<crate::db::ConnectionManager>> {
    db.get()
        .map_err(|e| anyhow::anyhow!("database unavailable: {e}"))
}

struct DemoCustomer {
    first: &'static str,
    last: &'static str,
    company: &'static str,
    country: &'static str,
    status: AccountStatus,
}

const DEMO_CUSTOMERS: [DemoCustomer; 12] = [
    DemoCustomer {
        first: "Emma",
        last: "de Vries",
        company: "Tulip Fashion",
        country: "NL",
        status: AccountStatus::Activated,
    },
    DemoCustomer {
        first: "Lucas",
        last: "Jansen",
        company: "Bike Parts Direct",
        country: "NL",
        status: AccountStatus::Activated,
    },
    DemoCustomer {
        first: "Sophie",
        last: "Martin",
        company: "Maison Sophie",
        country: "FR",
        status: AccountStatus::Activated,
    },
    DemoCustomer {
        first: "Noah",
        last: "Müller",
        company: "Outdoor Gear GmbH",
        country: "DE",
        status: AccountStatus::PendingActivation,
    },
    DemoCustomer {
        first: "Mia",
        last: "Rossi",
        company: "Pasta Fresca",
        country: "IT",
        status: AccountStatus::Locked,
    },
    DemoCustomer {
        first: "Liam",
        last: "Smith",
        company: "Smith Hardware",
        country: "GB",
        status: AccountStatus::Activated,
    },
    DemoCustomer {
        first: "Olivia",
        last: "García",
        company: "Moda García",
        country: "ES",
        status: AccountStatus::PendingActivation,
    },
    DemoCustomer {
        first: "James",
        last: "Brown",
        company: "Brown's Books",
        country: "US",
        status: AccountStatus::Activated,
    },
    DemoCustomer {
        first: "Ava",
        last: "Peeters",
        company: "Chocolaterie Ava",
        country: "BE",
        status: AccountStatus::Activated,
    },
    DemoCustomer {
        first: "Elias",
        last: "Nielsen",
        company: "Nordic Home",
        country: "DK",
        status: AccountStatus::Locked,
    },
    DemoCustomer {
        first: "Zoe",
        last: "Wilson",
        company: "Wilson Pets",
        country: "AU",
        status: AccountStatus::Activated,
    },
    DemoCustomer {
        first: "Hugo",
        last: "Lefebvre",
        company: "Vins Lefebvre",
        country: "FR",
        status: AccountStatus::PendingActivation,
    },
];

/// Apps of the first three customers (Emma has two) and of the first partner.
const DEMO_APPS: [DemoApp; 5] = [
    DemoApp {
        name: "Tulip Fashion",
        kind: AppKind::Magento,
        edition: AppEdition::Standard,
        store_url: Some("https://shop.tulip-fashion.example"),
        devices: 260,
    },
    DemoApp {
        name: "Tulip Outlet",
        kind: AppKind::Standalone,
        edition: AppEdition::Basic,
        store_url: None,
        devices: 90,
    },
    DemoApp {
        name: "Bike Parts Direct",
        kind: AppKind::Standalone,
        edition: AppEdition::Standard,
        store_url: None,
        devices: 180,
    },
    DemoApp {
        name: "Maison Sophie",
        kind: AppKind::Magento,
        edition: AppEdition::Basic,
        store_url: Some("https://maison-sophie.example/store"),
        devices: 120,
    },
    DemoApp {
        name: "Appmakers Showcase",
        kind: AppKind::Standalone,
        edition: AppEdition::Basic,
        store_url: None,
        devices: 40,
    },
];

fn demo_customer_email(c: &DemoCustomer) -> String {
    let name: String = c
        .first
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("{name}@customer.demo.test")
}

/// Creates the demo admin, two partners and a dozen customers across every status, unless the
/// demo admin already exists.
pub fn seed_demo(db: &Db, settings: &Settings) -> anyhow::Result<()> {
    let mailer = Mailer::new(settings);
    let hash = password::hash(DEMO_PASSWORD)?;
    let mut conn = db_conn(db)?;
    conn.transaction(|conn| {
        if AccountRow::find_by_email(conn, &types::email::Email::parse(DEMO_ADMIN))?.is_some() {
            return Ok::<_, AppError>(());
        }
        let spec = |email: String,
                    role,
                    status,
                    first: &str,
                    last: &str,
                    company: Option<&str>,
                    country: Option<&str>,
                    partner_id| AccountSpec {
            email: types::email::Email::parse(&email),
            password_hash: Some(hash.clone()),
            role,
            status,
            first_name: first.into(),
            last_name: last.into(),
            company: company.map(Into::into),
            phone: None,
            country: country.map(Into::into),
            partner_id,
        };
        create_account(
            conn,
            &mailer,
            &spec(
                DEMO_ADMIN.into(),
                Role::Admin,
                AccountStatus::Activated,
                "Ada",
                "Admin",
                None,
                None,
                None,
            ),
        )?;
        let partners = [
            create_account(
                conn,
                &mailer,
                &spec(
                    DEMO_PARTNERS[0].into(),
                    Role::Partner,
                    AccountStatus::Activated,
                    "Peter",
                    "Partner",
                    Some("Appmakers Agency"),
                    Some("NL"),
                    None,
                ),
            )?,
            create_account(
                conn,
                &mailer,
                &spec(
                    DEMO_PARTNERS[1].into(),
                    Role::Partner,
                    AccountStatus::Activated,
                    "Anna",
                    "Agency",
                    Some("Mobile First Studio"),
                    Some("DE"),
                    None,
                ),
            )?,
        ];
        let mut customers = Vec::new();
        for (i, c) in DEMO_CUSTOMERS.iter().enumerate() {
            let partner = &partners[i % 2];
            let customer = create_account(
                conn,
                &mailer,
                &spec(
                    demo_customer_email(c),
                    Role::Customer,
                    c.status,
                    c.first,
                    c.last,
                    Some(c.company),
                    Some(c.country),
                    Some(partner.id),
                ),
            )?;
            customers.push(customer.id);
        }
        let now = crate::clock::now();
        let owners = [
            customers[0],
            customers[0],
            customers[1],
            customers[2],
            partners[0].id,
        ];
        for (seed, (owner, app)) in (1_u64..).zip(owners.into_iter().zip(&DEMO_APPS)) {
            let app = demo_traffic::seed_app(conn, owner, app, seed, now)?;
            crate::push::seed_demo(conn, app.id, now)?;
        }
        seed_billing(conn, settings, &mailer, now)?;
        Actor::default().record(conn, "demo.seed", "installation", None)?;
        Ok(())
    })
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(())
}

/// The price list, and every Standard app on the yearly plan, paid with Stripe's test card.
fn seed_billing(
    conn: &mut crate::db::DbConn,
    settings: &Settings,
    mailer: &Mailer,
    now: chrono::NaiveDateTime,
) -> Result<(), AppError> {
    use crate::db::plans::{NewPlan, PlanRow};
    use diesel::prelude::*;
    let plans = [
        ("Basic monthly", "basic", "month", 1_900, 0),
        ("Standard monthly", "standard", "month", 4_900, 14),
        ("Standard yearly", "standard", "year", 49_000, 0),
    ]
    .map(|(name, edition, interval, price, trial_days)| {
        PlanRow::insert(
            conn,
            &NewPlan {
                name,
                edition,
                billing_interval: interval,
                price,
                currency: "EUR",
                trial_days,
                active: true,
                publish_in_trial: trial_days > 0,
                created_at: now,
                updated_at: now,
            },
        )
    });
    let [_, _, yearly] = plans;
    let yearly = yearly?;
    // Demo data moves no money, whichever provider the installation uses.
    let test_provider = crate::settings::Settings {
        payment_provider: crate::settings::PaymentProviderKind::Test,
        ..settings.clone()
    };
    let billing =
        crate::billing::Billing::new(&test_provider, mailer.clone()).map_err(AppError::internal)?;
    // Every Standard app is Standard because a paid subscription runs for it, as in real life.
    let standard: Vec<i64> = crate::db::schema::apps::table
        .filter(crate::db::schema::apps::edition.eq("standard"))
        .order(crate::db::schema::apps::id.asc())
        .select(crate::db::schema::apps::id)
        .load(conn)?;
    for id in standard {
        let Some((app, _)) = crate::db::apps::AppRow::find_with_owner(conn, id)? else {
            continue;
        };
        let sub = crate::billing::subscribe(conn, &billing, &app, &yearly, None, now)?;
        let sub = crate::db::subscriptions::SubscriptionRow::update(
            conn,
            sub.id,
            &crate::db::subscriptions::SubscriptionChanges {
                payment_method: Some("pm_card_visa".into()),
                ..Default::default()
            },
            now,
        )?;
        if let Some(invoice) = crate::db::invoices::InvoiceRow::open_for(conn, sub.id)? {
            crate::billing::charge(
                conn,
                &billing,
                &sub,
                &invoice,
                Some("pm_card_visa"),
                &Actor::default(),
                now,
            )?;
        }
    }
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
