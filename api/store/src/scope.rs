//! Who may reach which rows, decided in one place.
//!
//! The signed-in account becomes a [`Scope`] (the api's `policy` makes it); every list filters by
//! it and every lookup of one record goes through it, so a record outside the scope is the same
//! 404 as an unknown id. A new app-scoped resource looks its app up with [`Scope::find_app`] (or
//! filters a list across apps with [`Scope::app_ids`]) and cannot forget tenancy. It lives in the
//! store because the queries filter by it.

use diesel::dsl;
use diesel::prelude::*;
use types::accounts::{AccountStatus, Role};

use crate::accounts::{AccountRow, AccountsRule, Principal};
use crate::apps::{AppRow, AppWithOwner};
use crate::schema::{accounts, apps};
use crate::{DbConn, StoreError, StoreResult};

/// `SELECT id FROM accounts WHERE <AccountsRule>`.
pub type AccountIds = dsl::Filter<dsl::Select<accounts::table, accounts::id>, AccountsRule>;

/// `SELECT id FROM apps WHERE owner_id IN (<AccountIds>)`.
pub type AppIds =
    dsl::Filter<dsl::Select<apps::table, apps::id>, dsl::EqAny<apps::owner_id, AccountIds>>;

/// What an account may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// An admin: everything.
    All,
    /// A partner: itself, its customers, and the apps of both.
    Partner(i64),
    /// A customer: itself and its own apps.
    Customer(i64),
}

impl Scope {
    pub fn for_account(id: i64, role: Role) -> Self {
        match role {
            Role::Admin => Self::All,
            Role::Partner => Self::Partner(id),
            Role::Customer => Self::Customer(id),
        }
    }

    /// The role of the account this scope is for (`for_account`'s inverse).
    pub fn role(self) -> Role {
        match self {
            Self::All => Role::Admin,
            Self::Partner(_) => Role::Partner,
            Self::Customer(_) => Role::Customer,
        }
    }

    /// Whether `account` is within reach: itself, or for a partner one of its customers.
    pub fn reaches_account(self, account: &AccountRow) -> bool {
        match self {
            Self::All => true,
            Self::Partner(me) => account.id == me || account.partner_id == Some(me),
            Self::Customer(me) => account.id == me,
        }
    }

    /// Whether this scope manages `customer` (a partner its own customers, an admin all).
    pub fn manages_customer(self, customer: &AccountRow) -> bool {
        self.manages(customer.role(), customer.partner_id)
    }

    /// Whether `actor` may still act as `customer` in a "log in as" session: it is active and
    /// still manages the customer (a locked, deleted or demoted partner may not).
    pub fn may_act_for(actor: &Principal, customer: &Principal) -> bool {
        actor.status == AccountStatus::Activated
            && Self::for_account(actor.id, actor.role).manages(customer.role, customer.partner_id)
    }

    /// Whether this scope manages an account of `role` under `partner_id`: a customer of the
    /// partner's, or any customer for an admin.
    pub fn manages(self, role: Role, partner_id: Option<i64>) -> bool {
        role == Role::Customer
            && match self {
                Self::All => true,
                Self::Partner(me) => partner_id == Some(me),
                Self::Customer(_) => false,
            }
    }

    /// The customer `id` if this scope manages it; otherwise (unknown, not a customer, another
    /// partner's) the same 404.
    pub fn find_customer(self, conn: &mut DbConn, id: i64) -> StoreResult<AccountRow> {
        AccountRow::find(conn, id)?
            .filter(|a| self.manages_customer(a))
            .ok_or(StoreError::NotFound)
    }

    /// The app `id` with its owner's email if within reach; otherwise the same 404 as an
    /// unknown id. Every app-scoped route starts here.
    pub fn find_app(self, conn: &mut DbConn, id: i64) -> StoreResult<AppWithOwner> {
        // The owner's partner comes in the same query: a partner reaches its customers' apps.
        let (app, owner_email, owners_partner) = apps::table
            .inner_join(accounts::table)
            .filter(apps::id.eq(id))
            .select((AppRow::as_select(), accounts::email, accounts::partner_id))
            .first::<(AppRow, String, Option<i64>)>(conn)
            .optional()?
            .ok_or(StoreError::NotFound)?;
        let visible = match self {
            Self::All => true,
            Self::Customer(me) => app.owner_id == me,
            Self::Partner(me) => app.owner_id == me || owners_partner == Some(me),
        };
        if visible {
            Ok((app, owner_email))
        } else {
            Err(StoreError::NotFound)
        }
    }

    /// The condition on `accounts` rows within reach (`None`: all of them): the holder, and for
    /// a partner its customers (a customer's `partner_id = NULL` matches nothing). Filter a query
    /// that joins an owner account with it, or use [`Scope::account_ids`].
    pub fn accounts_rule(self) -> Option<AccountsRule> {
        let (me, customers_of) = match self {
            Self::All => return None,
            Self::Partner(me) => (me, Some(me)),
            Self::Customer(me) => (me, None),
        };
        Some(
            accounts::id
                .eq(me)
                .or(accounts::partner_id.eq(customers_of)),
        )
    }

    /// The accounts within reach, as a sub-select of ids (`None`: all of them).
    pub fn account_ids(self) -> Option<AccountIds> {
        self.accounts_rule()
            .map(|rule| accounts::table.select(accounts::id).filter(rule))
    }

    /// The apps within reach, as a sub-select of ids (`None`: all of them): filter any table with
    /// an `app_id` by it for a list across apps.
    pub fn app_ids(self) -> Option<AppIds> {
        self.account_ids().map(|owners| {
            apps::table
                .select(apps::id)
                .filter(apps::owner_id.eq_any(owners))
        })
    }

    /// Whose customers a customer list shows: a partner its own; an admin all, or the
    /// `requested` partner's.
    pub fn customers_of(self, requested: Option<i64>) -> Option<i64> {
        match self {
            Self::All => requested,
            Self::Partner(me) | Self::Customer(me) => Some(me),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::NewAccount;
    use crate::apps::NewApp;

    /// A migrated SQLite database in memory (one connection, so one database).
    fn database() -> crate::Pool {
        let pool = crate::pool(":memory:", 1, std::time::Duration::from_secs(5)).expect("pool");
        crate::migrate(&mut pool.get().expect("connection")).expect("migrations");
        pool
    }

    fn account(conn: &mut DbConn, email: &str, role: Role, partner_id: Option<i64>) -> i64 {
        let now = crate::clock::now();
        let new = NewAccount {
            email,
            password_hash: None,
            role: role.as_str(),
            status: "activated",
            first_name: "A",
            last_name: "B",
            company: None,
            phone: None,
            country: None,
            partner_id,
            created_at: now,
            updated_at: now,
        };
        AccountRow::insert(conn, &new).expect("account").id
    }

    fn app(conn: &mut DbConn, owner_id: i64) -> i64 {
        let now = crate::clock::now();
        let new = NewApp {
            owner_id,
            name: "App".into(),
            kind: "standalone".into(),
            edition: "basic".into(),
            store_url: None,
            icon_url: None,
            ios_bundle_id: None,
            android_package_name: None,
            app_key: format!("ak_{owner_id}"),
            created_at: now,
            updated_at: now,
        };
        AppRow::insert(conn, &new).expect("app").0.id
    }

    fn ids(conn: &mut DbConn, scope: Scope) -> Vec<i64> {
        let mut ids: Vec<i64> = match scope.app_ids() {
            Some(select) => select.load(conn).expect("ids"),
            None => apps::table.select(apps::id).load(conn).expect("ids"),
        };
        ids.sort_unstable();
        ids
    }

    #[test]
    fn each_scope_reaches_its_own_apps_and_a_partner_its_customers_too() {
        let pool = database();
        let mut conn = pool.get().expect("connection");
        let conn = &mut *conn;
        let partner = account(conn, "p@example.com", Role::Partner, None);
        let customer = account(conn, "c@example.com", Role::Customer, Some(partner));
        let other_partner = account(conn, "q@example.com", Role::Partner, None);
        let other_customer = account(conn, "d@example.com", Role::Customer, Some(other_partner));
        let (pa, ca) = (app(conn, partner), app(conn, customer));
        let (qa, da) = (app(conn, other_partner), app(conn, other_customer));

        assert_eq!(ids(conn, Scope::Partner(partner)), [pa, ca]);
        assert_eq!(ids(conn, Scope::Customer(customer)), [ca]);
        assert_eq!(ids(conn, Scope::Customer(other_customer)), [da]);
        assert_eq!(ids(conn, Scope::All), [pa, ca, qa, da]);

        assert!(Scope::Partner(partner).find_app(conn, ca).is_ok());
        assert!(Scope::Partner(partner).find_app(conn, da).is_err());
        assert!(Scope::Customer(customer).find_app(conn, pa).is_err());
        assert!(Scope::Partner(partner)
            .find_customer(conn, customer)
            .is_ok());
        assert!(Scope::Partner(partner)
            .find_customer(conn, other_customer)
            .is_err());
        assert!(
            Scope::Partner(other_partner)
                .find_customer(conn, other_partner)
                .is_err(),
            "a partner is not its own customer"
        );
    }
}
