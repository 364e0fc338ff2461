//! The audit log: every mutation, who made it (and who was behind them), on what, from where.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::accounts::Role;

use super::accounts::Principal;
use super::page::Paging;
use super::schema::audit_events;
use super::DbConn;
use crate::error::AppResult;
use crate::policy::Scope;

/// Who is acting, taken from the request: stamped on every audit event.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub account_id: Option<i64>,
    pub email: Option<String>,
    /// The partner the actor belongs to (itself for a partner), so partners can read their
    /// customers' events.
    pub partner_id: Option<i64>,
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
        Self {
            account_id: Some(account.id),
            email: Some(account.email.clone()),
            partner_id: match account.role {
                Role::Partner => Some(account.id),
                Role::Customer => account.partner_id,
                Role::Admin => None,
            },
            impersonator_id,
            ip,
        }
    }

    /// Records `action` on `subject` in the caller's transaction.
    pub fn record(
        &self,
        conn: &mut DbConn,
        action: &str,
        subject_type: &str,
        subject_id: Option<String>,
    ) -> AppResult<()> {
        diesel::insert_into(audit_events::table)
            .values((
                audit_events::actor_id.eq(self.account_id),
                audit_events::actor_email.eq(self.email.as_deref()),
                audit_events::actor_partner_id.eq(self.partner_id),
                audit_events::impersonator_id.eq(self.impersonator_id),
                audit_events::action.eq(action),
                audit_events::subject_type.eq(subject_type),
                audit_events::subject_id.eq(subject_id),
                audit_events::ip.eq(self.ip.as_deref()),
                audit_events::created_at.eq(super::now()),
            ))
            .execute(conn)?;
        Ok(())
    }
}

impl AuditEventRow {
    /// Newest first; returns the page and the total matching the filters.
    pub fn list(
        conn: &mut DbConn,
        scope: Scope,
        query: &AuditQuery,
        paging: &Paging<i64>,
    ) -> AppResult<(Vec<Self>, i64)> {
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

    pub fn to_wire(&self) -> types::audit::AuditEvent {
        types::audit::AuditEvent {
            id: self.id.to_string(),
            actor_id: self.actor_id.map(|id| id.to_string()),
            actor_email: self.actor_email.clone(),
            impersonator_id: self.impersonator_id.map(|id| id.to_string()),
            action: self.action.clone(),
            subject_type: self.subject_type.clone(),
            subject_id: self.subject_id.clone(),
            ip: self.ip.clone(),
            created_at: super::utc(self.created_at),
        }
    }
}
