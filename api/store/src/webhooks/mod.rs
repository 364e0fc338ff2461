//! Webhook endpoints, the events sent to them, and one delivery row per event and endpoint.

mod deliveries;

pub use deliveries::*;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::accounts::Role;
use types::webhooks::{DisabledReason, WebhookEndpoint, WebhookEventType};

use super::page::Paging;
use super::schema::{accounts, webhook_endpoints};
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

crate::versioned!(EndpointRow, "webhook-endpoint");

impl EndpointRow {
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
