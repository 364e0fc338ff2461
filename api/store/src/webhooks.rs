//! Webhook endpoints, the events sent to them, and one delivery row per event and endpoint.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::accounts::Role;
use types::webhooks::{
    DeliveryStatus, DisabledReason, WebhookDelivery, WebhookEndpoint, WebhookEventType,
};

use super::page::Paging;
use super::schema::{accounts, webhook_deliveries, webhook_endpoints, webhook_events};
use super::stored::Stored;
use super::{utc, DbConn};
use crate::error::{StoreError, StoreResult};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointRow {
    pub id: i64,
    pub account_id: i64,
    pub url: String,
    pub description: Option<String>,
    pub event_types: Option<String>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_secret_expires_at: Option<NaiveDateTime>,
    pub failing_since: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = webhook_endpoints)]
pub struct NewEndpoint {
    pub account_id: i64,
    pub url: String,
    pub description: Option<String>,
    pub event_types: Option<String>,
    pub enabled: bool,
    pub secret: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Changes to an endpoint; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointChanges {
    pub url: Option<String>,
    pub description: Option<Option<String>>,
    pub event_types: Option<Option<String>>,
    pub enabled: Option<bool>,
    pub disabled_reason: Option<Option<String>>,
    pub failing_since: Option<Option<NaiveDateTime>>,
    pub secret: Option<String>,
    pub previous_secret: Option<Option<String>>,
    pub previous_secret_expires_at: Option<Option<NaiveDateTime>>,
}

/// The stored form of an endpoint's event types: space-separated, `None` for all.
pub fn stored_types(types: Option<&[WebhookEventType]>) -> Option<String> {
    types.map(|types| {
        let mut names: Vec<&str> = types.iter().map(|t| t.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names.join(" ")
    })
}

impl EndpointRow {
    pub fn etag(&self) -> String {
        format!("\"webhook-endpoint-{}-{}\"", self.id, self.version)
    }

    /// Whether the endpoint wants events of `event_type`.
    pub fn wants(event_types: Option<&str>, event_type: &str) -> bool {
        event_types.is_none_or(|types| types.split(' ').any(|t| t == event_type))
    }

    /// The secrets to sign with at `now`: the current one, and the previous one during the
    /// overlap after a rotation.
    pub fn signing_secrets(&self, now: NaiveDateTime) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let (Some(previous), Some(until)) =
            (&self.previous_secret, self.previous_secret_expires_at)
        {
            if now < until {
                secrets.push(previous);
            }
        }
        secrets
    }

    pub fn to_wire(&self, secret: Option<String>, now: NaiveDateTime) -> WebhookEndpoint {
        WebhookEndpoint {
            id: self.id.to_string(),
            url: self.url.clone(),
            description: self.description.clone(),
            event_types: self
                .event_types
                .as_deref()
                .map(|types| types.split(' ').filter_map(|t| t.parse().ok()).collect()),
            enabled: self.enabled,
            disabled_reason: self
                .disabled_reason
                .as_deref()
                .and_then(|r| r.parse::<DisabledReason>().ok()),
            failing_since: self.failing_since.map(utc),
            previous_secret_expires_at: self
                .previous_secret_expires_at
                .filter(|until| now < *until)
                .map(utc),
            secret,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        }
    }

    pub fn insert(conn: &mut DbConn, new: &NewEndpoint) -> StoreResult<Self> {
        let id: i64 = diesel::insert_into(webhook_endpoints::table)
            .values(new)
            .returning(webhook_endpoints::id)
            .get_result(conn)?;
        Self::find(conn, new.account_id, id)
    }

    /// `account`'s endpoint `id`; another account's is a 404.
    pub fn find(conn: &mut DbConn, account: i64, id: i64) -> StoreResult<Self> {
        webhook_endpoints::table
            .filter(webhook_endpoints::id.eq(id))
            .filter(webhook_endpoints::account_id.eq(account))
            .select(Self::as_select())
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    pub fn count(conn: &mut DbConn, account: i64) -> StoreResult<i64> {
        Ok(webhook_endpoints::table
            .filter(webhook_endpoints::account_id.eq(account))
            .count()
            .get_result(conn)?)
    }

    pub fn list(
        conn: &mut DbConn,
        account: i64,
        paging: &Paging<i64>,
    ) -> StoreResult<(Vec<Self>, i64)> {
        let total = Self::count(conn, account)?;
        let mut query = webhook_endpoints::table
            .filter(webhook_endpoints::account_id.eq(account))
            .into_boxed();
        if let Some(id) = paging.after {
            query = query.filter(webhook_endpoints::id.lt(id));
        }
        let rows = query
            .order(webhook_endpoints::id.desc())
            .limit(paging.limit)
            .offset(paging.offset)
            .select(Self::as_select())
            .load(conn)?;
        Ok((rows, total))
    }

    /// Applies `changes` and bumps the version.
    pub fn update(conn: &mut DbConn, id: i64, changes: &EndpointChanges) -> StoreResult<Self> {
        diesel::update(webhook_endpoints::table.find(id))
            .set((
                changes,
                webhook_endpoints::version.eq(webhook_endpoints::version + 1),
                webhook_endpoints::updated_at.eq(crate::clock::now()),
            ))
            .execute(conn)?;
        webhook_endpoints::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    pub fn delete(conn: &mut DbConn, id: i64) -> StoreResult<()> {
        diesel::delete(webhook_endpoints::table.find(id)).execute(conn)?;
        Ok(())
    }

    /// The enabled endpoints that hear about what `owner` owns: `owner`'s own, its partner's,
    /// and every admin's. Their ids and event types.
    pub fn recipients(conn: &mut DbConn, owner: i64) -> StoreResult<Vec<(i64, Option<String>)>> {
        let partner: Option<i64> = accounts::table
            .find(owner)
            .select(accounts::partner_id)
            .first::<Option<i64>>(conn)
            .optional()?
            .flatten();
        let admins = accounts::table
            .filter(accounts::role.eq(Role::Admin.as_str()))
            .select(accounts::id);
        let mut owners = vec![owner];
        owners.extend(partner);
        Ok(webhook_endpoints::table
            .filter(webhook_endpoints::enabled.eq(true))
            .filter(
                webhook_endpoints::account_id
                    .eq_any(owners)
                    .or(webhook_endpoints::account_id.eq_any(admins)),
            )
            .select((webhook_endpoints::id, webhook_endpoints::event_types))
            .load(conn)?)
    }

    /// Records a failed attempt on the endpoint: the start of its failing streak.
    pub fn failed_since(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> StoreResult<()> {
        diesel::update(
            webhook_endpoints::table
                .find(id)
                .filter(webhook_endpoints::failing_since.is_null()),
        )
        .set(webhook_endpoints::failing_since.eq(now))
        .execute(conn)?;
        Ok(())
    }

    /// Ends the endpoint's failing streak.
    pub fn succeeded(conn: &mut DbConn, id: i64) -> StoreResult<()> {
        diesel::update(
            webhook_endpoints::table
                .find(id)
                .filter(webhook_endpoints::failing_since.is_not_null()),
        )
        .set(webhook_endpoints::failing_since.eq(None::<NaiveDateTime>))
        .execute(conn)?;
        Ok(())
    }

    /// Switches the endpoint off for `reason` and fails what was still to be sent to it; false
    /// when it was already off.
    pub fn switch_off(
        conn: &mut DbConn,
        id: i64,
        reason: DisabledReason,
        now: NaiveDateTime,
    ) -> StoreResult<bool> {
        let changed = diesel::update(
            webhook_endpoints::table
                .find(id)
                .filter(webhook_endpoints::enabled.eq(true)),
        )
        .set((
            webhook_endpoints::enabled.eq(false),
            webhook_endpoints::disabled_reason.eq(reason.as_str()),
            webhook_endpoints::version.eq(webhook_endpoints::version + 1),
            webhook_endpoints::updated_at.eq(now),
        ))
        .execute(conn)?;
        DeliveryRow::fail_pending(conn, id, "the endpoint is disabled")?;
        Ok(changed == 1)
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i64,
    pub endpoint_id: i64,
    pub event_id: String,
    #[diesel(deserialize_as = Stored<DeliveryStatus>)]
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub response_status: Option<i32>,
    pub response_ms: Option<i32>,
    pub error: Option<String>,
    pub created_at: NaiveDateTime,
}

/// A delivery with its event's type and body.
pub type DeliveryWithEvent = (DeliveryRow, String, String);

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub at: NaiveDateTime,
    pub response_status: Option<i32>,
    pub response_ms: i32,
    pub error: Option<String>,
    /// `None`: it succeeded; else when to try again (`None` inside: given up).
    pub retry_at: Option<Option<NaiveDateTime>>,
}

impl DeliveryRow {
    pub fn to_wire((row, event_type, payload): &DeliveryWithEvent) -> WebhookDelivery {
        WebhookDelivery {
            id: row.id.to_string(),
            event_id: row.event_id.clone(),
            event_type: event_type.clone(),
            status: row.status,
            attempts: row.attempts,
            last_attempt_at: row.last_attempt_at.map(utc),
            response_status: row.response_status,
            response_ms: row.response_ms,
            error: row.error.clone(),
            next_attempt_at: (row.status == DeliveryStatus::Pending)
                .then(|| utc(row.next_attempt_at)),
            payload: serde_json::from_str(payload).unwrap_or(serde_json::Value::Null),
            created_at: utc(row.created_at),
        }
    }

    /// Stores an event and queues it for each of `endpoints`.
    pub fn queue(
        conn: &mut DbConn,
        event_id: &str,
        event_type: &str,
        payload: &str,
        endpoints: &[i64],
    ) -> StoreResult<()> {
        let now = crate::clock::now();
        diesel::insert_into(webhook_events::table)
            .values((
                webhook_events::id.eq(event_id),
                webhook_events::event_type.eq(event_type),
                webhook_events::payload.eq(payload),
                webhook_events::created_at.eq(now),
            ))
            .execute(conn)?;
        let rows: Vec<_> = endpoints
            .iter()
            .map(|endpoint| {
                (
                    webhook_deliveries::endpoint_id.eq(*endpoint),
                    webhook_deliveries::event_id.eq(event_id),
                    webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
                    webhook_deliveries::next_attempt_at.eq(now),
                    webhook_deliveries::created_at.eq(now),
                )
            })
            .collect();
        crate::insert_many!(conn, webhook_deliveries::table, &rows)?;
        Ok(())
    }

    /// The delivery `id` of `endpoint`, with its event; another endpoint's is a 404.
    pub fn find(conn: &mut DbConn, endpoint: i64, id: i64) -> StoreResult<DeliveryWithEvent> {
        webhook_deliveries::table
            .inner_join(webhook_events::table)
            .filter(webhook_deliveries::endpoint_id.eq(endpoint))
            .filter(webhook_deliveries::id.eq(id))
            .select((
                Self::as_select(),
                webhook_events::event_type,
                webhook_events::payload,
            ))
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    /// The newest deliveries of `endpoint` first.
    pub fn list(
        conn: &mut DbConn,
        endpoint: i64,
        status: Option<DeliveryStatus>,
        paging: &Paging<i64>,
    ) -> StoreResult<(Vec<DeliveryWithEvent>, i64)> {
        let build = || {
            let mut q = webhook_deliveries::table
                .inner_join(webhook_events::table)
                .filter(webhook_deliveries::endpoint_id.eq(endpoint))
                .into_boxed();
            if let Some(status) = status {
                q = q.filter(webhook_deliveries::status.eq(status.as_str()));
            }
            q
        };
        let total = build().count().get_result(conn)?;
        let mut query = build();
        if let Some(after) = paging.after {
            query = query.filter(webhook_deliveries::id.lt(after));
        }
        let rows = query
            .order(webhook_deliveries::id.desc())
            .limit(paging.limit)
            .offset(paging.offset)
            .select((
                Self::as_select(),
                webhook_events::event_type,
                webhook_events::payload,
            ))
            .load(conn)?;
        Ok((rows, total))
    }

    /// The delivery of `event` to `endpoint`.
    pub fn id_of(conn: &mut DbConn, endpoint: i64, event: &str) -> StoreResult<i64> {
        Ok(webhook_deliveries::table
            .filter(webhook_deliveries::endpoint_id.eq(endpoint))
            .filter(webhook_deliveries::event_id.eq(event))
            .select(webhook_deliveries::id)
            .first(conn)?)
    }

    /// Queues the delivery again, due at `now` (a redelivery of one that succeeded, too).
    pub fn requeue(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> StoreResult<()> {
        diesel::update(webhook_deliveries::table.find(id))
            .set((
                webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str()),
                webhook_deliveries::next_attempt_at.eq(now),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Claims up to `limit` due deliveries of enabled endpoints by moving their next attempt
    /// `lease` later (a process that dies mid-send leaves them to be claimed again then). On
    /// PostgreSQL the rows are locked with `FOR UPDATE SKIP LOCKED`: replicas never claim the
    /// same delivery. Run it in the caller's transaction.
    pub fn claim_due(
        conn: &mut DbConn,
        now: NaiveDateTime,
        limit: i64,
        lease: chrono::Duration,
    ) -> StoreResult<Vec<i64>> {
        let enabled = webhook_endpoints::table
            .filter(webhook_endpoints::enabled.eq(true))
            .select(webhook_endpoints::id);
        // A macro, not a value: the boxed-free query is typed by the backend it loads on.
        macro_rules! due {
            () => {
                webhook_deliveries::table
                    .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                        "webhook_deliveries.status = 'pending'",
                    ))
                    .filter(webhook_deliveries::next_attempt_at.le(now))
                    .filter(webhook_deliveries::endpoint_id.eq_any(enabled))
                    .order((
                        webhook_deliveries::next_attempt_at.asc(),
                        webhook_deliveries::id.asc(),
                    ))
                    .limit(limit)
                    .select(webhook_deliveries::id)
            };
        }
        let ids: Vec<i64> = match conn {
            DbConn::Postgres(pg) => due!().for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(sqlite) => due!().load(sqlite)?,
        };
        diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
            .set(webhook_deliveries::next_attempt_at.eq(now + lease))
            .execute(conn)?;
        Ok(ids)
    }

    /// Gives claimed deliveries back, due at `now`.
    pub fn release(conn: &mut DbConn, ids: &[i64], now: NaiveDateTime) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::id.eq_any(ids))
                .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str())),
        )
        .set(webhook_deliveries::next_attempt_at.eq(now))
        .execute(conn)?;
        Ok(())
    }

    /// What the sender needs of claimed deliveries: each with its endpoint and its event's
    /// type and body.
    pub fn load_claimed(
        conn: &mut DbConn,
        ids: &[i64],
    ) -> StoreResult<Vec<(Self, EndpointRow, String, String)>> {
        Ok(webhook_deliveries::table
            .inner_join(webhook_endpoints::table)
            .inner_join(webhook_events::table)
            .filter(webhook_deliveries::id.eq_any(ids))
            .order(webhook_deliveries::id.asc())
            .select((
                Self::as_select(),
                EndpointRow::as_select(),
                webhook_events::event_type,
                webhook_events::payload,
            ))
            .load(conn)?)
    }

    /// Records an attempt's outcome.
    pub fn record(conn: &mut DbConn, id: i64, attempt: &Attempt) -> StoreResult<()> {
        let (status, next) = match attempt.retry_at {
            None => (DeliveryStatus::Succeeded, attempt.at),
            Some(Some(at)) => (DeliveryStatus::Pending, at),
            Some(None) => (DeliveryStatus::Failed, attempt.at),
        };
        diesel::update(webhook_deliveries::table.find(id))
            .set((
                webhook_deliveries::status.eq(status.as_str()),
                webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
                webhook_deliveries::next_attempt_at.eq(next),
                webhook_deliveries::last_attempt_at.eq(attempt.at),
                webhook_deliveries::response_status.eq(attempt.response_status),
                webhook_deliveries::response_ms.eq(attempt.response_ms),
                webhook_deliveries::error.eq(attempt.error.as_deref()),
            ))
            .execute(conn)?;
        Ok(())
    }

    /// Fails every pending delivery of `endpoint` with `reason`.
    pub fn fail_pending(conn: &mut DbConn, endpoint: i64, reason: &str) -> StoreResult<()> {
        diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::endpoint_id.eq(endpoint))
                .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending.as_str())),
        )
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Failed.as_str()),
            webhook_deliveries::error.eq(reason),
        ))
        .execute(conn)?;
        Ok(())
    }
}
