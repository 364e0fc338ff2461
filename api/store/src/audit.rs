//! The audit log: every mutation, who made it (and who was behind them), on what, from where.

use std::sync::{Arc, OnceLock};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::accounts::Role;

use super::accounts::Principal;
use super::page::Paging;
use super::schema::audit_events;
use super::DbConn;
use crate::error::StoreResult;
use crate::scope::Scope;

/// Who is acting, taken from the request: stamped on every audit event.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub account_id: Option<i64>,
    /// The acting account as the database has it: known from the start for an actor built
    /// from a [`Principal`]; for a request's caller, filled by the request's gate check, which
    /// runs on the request's connection before any of its queries (see `db::gate`).
    account: Option<Arc<OnceLock<Principal>>>,
    pub impersonator_id: Option<i64>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub actor_email: Option<String>,
    pub actor_partner_id: Option<i64>,
    pub impersonator_id: Option<i64>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: Option<String>,
    pub ip: Option<String>,
    pub created_at: NaiveDateTime,
    pub subject_name: Option<String>,
}

#[derive(Debug, Default)]
pub struct AuditQuery {
    pub actor_id: Option<i64>,
    pub action: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

impl Actor {
    /// `account` acting (with `impersonator_id` behind it during "log in as").
    pub fn for_account(
        account: &Principal,
        impersonator_id: Option<i64>,
        ip: Option<String>,
    ) -> Self {
        Self::for_caller(
            account.id,
            Arc::new(OnceLock::from(account.clone())),
            impersonator_id,
            ip,
        )
    }

    /// The account `id` acting, whose row `account` holds once the request's gate checked it.
    pub fn for_caller(
        id: i64,
        account: Arc<OnceLock<Principal>>,
        impersonator_id: Option<i64>,
        ip: Option<String>,
    ) -> Self {
        Self {
            account_id: Some(id),
            account: Some(account),
            impersonator_id,
            ip,
        }
    }

    fn principal(&self) -> Option<&Principal> {
        let principal = self.account.as_ref().and_then(|a| a.get());
        debug_assert!(
            self.account.is_none() || principal.is_some(),
            "an actor's account is read before the request's gate checked it"
        );
        principal
    }

    /// The acting account's email (`None` for the system).
    pub fn email(&self) -> Option<&str> {
        self.principal().map(|p| p.email.as_str())
    }

    /// The partner the actor belongs to (itself for a partner), so partners can read their
    /// customers' events.
    pub fn partner_id(&self) -> Option<i64> {
        self.principal().and_then(|p| match p.role {
            Role::Partner => Some(p.id),
            Role::Customer => p.partner_id,
            Role::Admin => None,
        })
    }

    /// Records `action` on `subject` in the caller's transaction, with the subject's name as it
    /// is now (so record a deletion before deleting).
    pub fn record(
        &self,
        conn: &mut DbConn,
        action: &str,
        subject_type: &str,
        subject_id: Option<String>,
    ) -> StoreResult<()> {
        let subject_name = match &subject_id {
            Some(id) => subject_name(conn, subject_type, id)?,
            None => None,
        };
        diesel::insert_into(audit_events::table)
            .values((
                audit_events::actor_id.eq(self.account_id),
                audit_events::actor_email.eq(self.email()),
                audit_events::actor_partner_id.eq(self.partner_id()),
                audit_events::impersonator_id.eq(self.impersonator_id),
                audit_events::action.eq(action),
                audit_events::subject_type.eq(subject_type),
                audit_events::subject_id.eq(subject_id),
                audit_events::ip.eq(self.ip.as_deref()),
                audit_events::created_at.eq(crate::clock::now()),
                audit_events::subject_name.eq(subject_name),
            ))
            .execute(conn)?;
        Ok(())
    }
}

/// The name an account is shown by: its company, else its first and last name.
fn shown((company, first, last): (Option<String>, String, String)) -> String {
    company
        .filter(|c| !c.trim().is_empty())
        .unwrap_or_else(|| format!("{first} {last}").trim().to_owned())
}

/// What people call the object an event is about: a partner's company, an app's name, an
/// invoice's number… `None` for kinds without a name (a session) or an object already gone.
fn subject_name(conn: &mut DbConn, subject_type: &str, id: &str) -> StoreResult<Option<String>> {
    use super::schema::{
        accounts, api_tokens, apps, assets, coupons, mobile_users, orders, payments, plans,
        publish_requests, subscriptions,
    };
    let Ok(id) = id.parse::<i64>() else {
        return Ok(None);
    };
    let name = match subject_type {
        "partner" | "customer" | "admin" | "account" => accounts::table
            .find(id)
            .select((accounts::company, accounts::first_name, accounts::last_name))
            .first(conn)
            .optional()?
            .map(shown),
        "app" => apps::table
            .find(id)
            .select(apps::name)
            .first(conn)
            .optional()?,
        "mobile_user" => mobile_users::table
            .find(id)
            .select((
                mobile_users::first_name,
                mobile_users::last_name,
                mobile_users::email,
            ))
            .first::<(String, String, String)>(conn)
            .optional()?
            .map(|(first, last, email)| {
                let name = format!("{first} {last}").trim().to_owned();
                if name.is_empty() {
                    email
                } else {
                    name
                }
            }),
        "plan" => plans::table
            .find(id)
            .select(plans::name)
            .first(conn)
            .optional()?,
        "coupon" => coupons::table
            .find(id)
            .select(coupons::code)
            .first(conn)
            .optional()?,
        "api_token" => api_tokens::table
            .find(id)
            .select(api_tokens::name)
            .first(conn)
            .optional()?,
        "subscription" => subscriptions::table
            .find(id)
            .select(subscriptions::app_name)
            .first(conn)
            .optional()?,
        "payment" => payments::table
            .find(id)
            .select((payments::invoice_number, payments::app_name))
            .first::<(String, String)>(conn)
            .optional()?
            .map(|(invoice, app)| format!("{invoice} ({app})")),
        "order" => orders::table
            .find(id)
            .select(orders::order_number)
            .first::<String>(conn)
            .optional()?
            .map(|n| format!("#{n}")),
        "publish_request" => publish_requests::table
            .inner_join(apps::table)
            .filter(publish_requests::id.eq(id))
            .select((
                apps::name,
                publish_requests::version_name,
                publish_requests::store,
            ))
            .first::<(String, String, String)>(conn)
            .optional()?
            .map(|(app, version, store)| {
                let store = if store == "app_store" {
                    "the App Store"
                } else {
                    "Google Play"
                };
                format!("{app} {version} on {store}")
            }),
        "asset" => assets::table
            .find(id)
            .select(assets::file_name)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten(),
        _ => None,
    };
    Ok(name)
}

/// Who acted, and who was behind them, by name: what the wire's `actor_name` and
/// `impersonator_*` fields say.
#[derive(Debug, Default)]
pub struct People(std::collections::HashMap<i64, (String, String)>);

impl People {
    /// The names and emails of the accounts behind `rows`, in one query.
    pub fn of(conn: &mut DbConn, rows: &[AuditEventRow]) -> StoreResult<Self> {
        use super::schema::accounts;
        let mut ids: Vec<i64> = rows
            .iter()
            .flat_map(|r| [r.actor_id, r.impersonator_id])
            .flatten()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(Self::default());
        }
        let found = accounts::table
            .filter(accounts::id.eq_any(ids))
            .select((
                accounts::id,
                accounts::email,
                accounts::company,
                accounts::first_name,
                accounts::last_name,
            ))
            .load::<(i64, String, Option<String>, String, String)>(conn)?;
        Ok(Self(
            found
                .into_iter()
                .map(|(id, email, company, first, last)| {
                    let person = format!("{first} {last}").trim().to_owned();
                    let name = match company.filter(|c| !c.trim().is_empty()) {
                        Some(company) => format!("{person} ({company})"),
                        None => person,
                    };
                    (id, (name, email))
                })
                .collect(),
        ))
    }

    fn get(&self, id: Option<i64>) -> Option<&(String, String)> {
        id.and_then(|id| self.0.get(&id))
    }
}

impl AuditEventRow {
    /// Newest first; returns the page and the total matching the filters.
    pub fn list(
        conn: &mut DbConn,
        scope: Scope,
        query: &AuditQuery,
        paging: &Paging<i64>,
    ) -> StoreResult<(Vec<Self>, i64)> {
        let build = |with_cursor: bool| {
            let mut q = audit_events::table.into_boxed();
            q = match scope {
                Scope::All => q,
                // A partner reads its own events and its customers'.
                Scope::Partner(id) => q.filter(
                    audit_events::actor_partner_id
                        .eq(id)
                        .or(audit_events::actor_id.eq(id)),
                ),
                Scope::Customer(id) => q.filter(audit_events::actor_id.eq(id)),
            };
            if let Some(actor) = query.actor_id {
                q = q.filter(audit_events::actor_id.eq(actor));
            }
            if let Some(action) = &query.action {
                q = q.filter(audit_events::action.eq(action.clone()));
            }
            if let Some(subject_type) = &query.subject_type {
                q = q.filter(audit_events::subject_type.eq(subject_type.clone()));
            }
            if let Some(subject_id) = &query.subject_id {
                q = q.filter(audit_events::subject_id.eq(subject_id.clone()));
            }
            if let Some(from) = query.from {
                q = q.filter(audit_events::created_at.ge(from));
            }
            if let Some(to) = query.to {
                q = q.filter(audit_events::created_at.lt(to));
            }
            if with_cursor {
                if let Some(before) = paging.after {
                    q = q.filter(audit_events::id.lt(before));
                }
            }
            q
        };
        let total = build(false).count().get_result::<i64>(conn)?;
        let rows = build(true)
            .order(audit_events::id.desc())
            .limit(paging.limit)
            .offset(paging.offset)
            .select(Self::as_select())
            .load(conn)?;
        Ok((rows, total))
    }

    pub fn to_wire(&self, people: &People) -> types::audit::AuditEvent {
        let impersonator = people.get(self.impersonator_id);
        types::audit::AuditEvent {
            id: self.id.to_string(),
            actor_id: self.actor_id.map(|id| id.to_string()),
            actor_email: self.actor_email.clone(),
            actor_name: people.get(self.actor_id).map(|(name, _)| name.clone()),
            impersonator_id: self.impersonator_id.map(|id| id.to_string()),
            impersonator_name: impersonator.map(|(name, _)| name.clone()),
            impersonator_email: impersonator.map(|(_, email)| email.clone()),
            subject_name: self.subject_name.clone(),
            action: self.action.clone(),
            subject_type: self.subject_type.clone(),
            subject_id: self.subject_id.clone(),
            ip: self.ip.clone(),
            created_at: super::utc(self.created_at),
        }
    }
}
