//! The email outbox: every email is a row first, delivered (or only logged) afterwards.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::email::Email;
use types::outbox::{EmailStatus, OutboxEmail};

use super::page::Paging;
use super::schema::emails;
use super::stored::Stored;
use super::DbConn;
use crate::error::StoreResult;

/// Attempts before an email is given up as `failed`.
pub const MAX_ATTEMPTS: i32 = 5;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = emails)]
pub struct EmailRow {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body: String,
    #[diesel(deserialize_as = Stored<EmailStatus>)]
    pub status: EmailStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub sent_at: Option<NaiveDateTime>,
}

impl EmailRow {
    /// Adds an email to the outbox: `queued` for the mailer when SMTP is configured, else
    /// `logged` (it is written to the log and stays readable in the outbox).
    pub fn enqueue(
        conn: &mut DbConn,
        to: &str,
        subject: &str,
        body: &str,
        deliver: bool,
    ) -> StoreResult<i64> {
        let now = crate::clock::now();
        let status = if deliver {
            EmailStatus::Queued
        } else {
            EmailStatus::Logged
        };
        let id = diesel::insert_into(emails::table)
            .values((
                emails::to_address.eq(to),
                emails::subject.eq(subject),
                emails::body.eq(body),
                emails::status.eq(status.as_str()),
                emails::next_attempt_at.eq(now),
                emails::created_at.eq(now),
            ))
            .returning(emails::id)
            .get_result(conn)?;
        if !deliver {
            tracing::info!(
                email_id = id,
                to,
                subject,
                body,
                "email logged (SMTP_URL is not set)"
            );
        }
        Ok(id)
    }

    pub fn list(
        conn: &mut DbConn,
        to: Option<&str>,
        status: Option<EmailStatus>,
        paging: &Paging<i64>,
    ) -> StoreResult<(Vec<Self>, i64)> {
        let build = || {
            let mut q = emails::table.into_boxed();
            if let Some(to) = to {
                q = q.filter(emails::to_address.eq(Email::parse(to).into_string()));
            }
            if let Some(status) = status {
                q = q.filter(emails::status.eq(status.as_str()));
            }
            q
        };
        let total = build().count().get_result(conn)?;
        let mut query = build();
        if let Some(id) = paging.after {
            query = query.filter(emails::id.lt(id));
        }
        let rows = query
            .order(emails::id.desc())
            .limit(paging.limit)
            .offset(paging.offset)
            .select(Self::as_select())
            .load(conn)?;
        Ok((rows, total))
    }

    /// Claims up to `limit` due emails for this process by pushing their next attempt into the
    /// future. On PostgreSQL the rows are locked with `FOR UPDATE SKIP LOCKED`, so replicas
    /// never claim the same email.
    pub fn claim_due(
        conn: &mut DbConn,
        limit: i64,
        lease: chrono::Duration,
    ) -> StoreResult<Vec<Self>> {
        let now = crate::clock::now();
        conn.transaction(|conn| {
            // A macro, not a value: `as_select()` is typed by the backend it loads on.
            macro_rules! due {
                () => {
                    emails::table
                        .filter(emails::status.eq(EmailStatus::Queued.as_str()))
                        .filter(emails::next_attempt_at.le(now))
                        .order(emails::next_attempt_at.asc())
                        .limit(limit)
                        .select(Self::as_select())
                };
            }
            let rows: Vec<Self> = match conn {
                DbConn::Postgres(pg) => due!().for_update().skip_locked().load(pg)?,
                DbConn::Sqlite(sqlite) => due!().load(sqlite)?,
            };
            if rows.is_empty() {
                return Ok(rows);
            }
            let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
            diesel::update(emails::table.filter(emails::id.eq_any(&ids)))
                .set(emails::next_attempt_at.eq(now + lease))
                .execute(conn)?;
            Ok(rows)
        })
    }

    pub fn mark_sent(conn: &mut DbConn, id: i64) -> StoreResult<()> {
        let now = crate::clock::now();
        diesel::update(emails::table.find(id))
            .set((
                emails::status.eq(EmailStatus::Sent.as_str()),
                emails::attempts.eq(emails::attempts + 1),
                emails::sent_at.eq(now),
                emails::last_error.eq(None::<String>),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Records a failed attempt: retried with exponential back-off, then given up.
    pub fn mark_failed(conn: &mut DbConn, email: &Self, error: &str) -> StoreResult<()> {
        let attempts = email.attempts + 1;
        let status = if attempts >= MAX_ATTEMPTS {
            EmailStatus::Failed
        } else {
            EmailStatus::Queued
        };
        let backoff = chrono::Duration::seconds(5 * 2_i64.pow(attempts.unsigned_abs()));
        diesel::update(emails::table.find(email.id))
            .set((
                emails::status.eq(status.as_str()),
                emails::attempts.eq(attempts),
                emails::last_error.eq(error),
                emails::next_attempt_at.eq(crate::clock::now() + backoff),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn to_wire(&self) -> OutboxEmail {
        OutboxEmail {
            id: self.id.to_string(),
            to: self.to_address.clone(),
            subject: self.subject.clone(),
            body: self.body.clone(),
            status: self.status,
            attempts: self.attempts,
            last_error: self.last_error.clone(),
            created_at: super::utc(self.created_at),
            sent_at: self.sent_at.map(super::utc),
        }
    }
}
