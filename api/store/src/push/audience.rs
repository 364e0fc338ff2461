//! Whom a message reaches: its target resolved against an app's devices.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::push::PushTarget;

use crate::error::StoreResult;
use crate::schema::{devices, push_deliveries};
use crate::DbConn;

/// Whom a target reaches in one app, resolved against the app's devices: the app versions and
/// locales it takes are read from the few distinct values the devices report, so the device
/// query itself is plain `IN` lists.
#[derive(Debug, Clone)]
pub struct Audience {
    app_id: i64,
    platforms: Option<Vec<&'static str>>,
    versions: Option<Vec<String>>,
    locales: Option<Vec<String>>,
    seen_since: Option<NaiveDateTime>,
}

type DeviceQuery<'a> = devices::BoxedQuery<'a, <DbConn as diesel::Connection>::Backend>;

impl Audience {
    pub fn resolve(
        conn: &mut DbConn,
        app_id: i64,
        target: Option<&PushTarget>,
        now: NaiveDateTime,
    ) -> StoreResult<Self> {
        let target = target.cloned().unwrap_or_default();
        let versions = if target.app_version_min.is_some() || target.app_version_max.is_some() {
            let min = target
                .app_version_min
                .as_deref()
                .map(types::push::version_key);
            let max = target
                .app_version_max
                .as_deref()
                .map(types::push::version_key);
            let all: Vec<String> = devices::table
                .filter(devices::app_id.eq(app_id))
                .select(devices::app_version)
                .distinct()
                .load(conn)?;
            Some(
                all.into_iter()
                    .filter(|v| {
                        let key = types::push::version_key(v);
                        min.as_ref().is_none_or(|m| &key >= m)
                            && max.as_ref().is_none_or(|m| &key <= m)
                    })
                    .collect(),
            )
        } else {
            None
        };
        let locales = match &target.locales {
            Some(wanted) => {
                let all: Vec<Option<String>> = devices::table
                    .filter(devices::app_id.eq(app_id))
                    .select(devices::locale)
                    .distinct()
                    .load(conn)?;
                Some(
                    all.into_iter()
                        .flatten()
                        .filter(|l| wanted.iter().any(|w| types::push::locale_matches(w, l)))
                        .collect(),
                )
            }
            None => None,
        };
        Ok(Self {
            app_id,
            platforms: target
                .platforms
                .map(|p| p.iter().map(|p| p.as_str()).collect()),
            versions,
            locales,
            seen_since: target
                .last_seen_within_days
                .map(|d| now - chrono::Duration::days(i64::from(d))),
        })
    }

    /// The app's devices this audience takes: push on, a token, not a dead one.
    fn devices(&self) -> DeviceQuery<'_> {
        let mut query = devices::table
            .filter(devices::app_id.eq(self.app_id))
            .filter(devices::push_enabled.eq(true))
            .filter(devices::push_token.is_not_null())
            .filter(
                devices::dead_push_token
                    .is_null()
                    .or(devices::dead_push_token.ne(devices::push_token)),
            )
            .into_boxed();
        if let Some(platforms) = &self.platforms {
            query = query.filter(devices::platform.eq_any(platforms.clone()));
        }
        if let Some(versions) = &self.versions {
            query = query.filter(devices::app_version.eq_any(versions.clone()));
        }
        if let Some(locales) = &self.locales {
            query = query.filter(devices::locale.eq_any(locales.clone()));
        }
        if let Some(since) = self.seen_since {
            query = query.filter(devices::last_seen_at.ge(since));
        }
        query
    }

    pub fn count(&self, conn: &mut DbConn) -> StoreResult<i64> {
        Ok(self.devices().count().get_result(conn)?)
    }

    /// Whether the audience takes device `id`.
    pub fn includes(&self, conn: &mut DbConn, id: i64) -> StoreResult<bool> {
        let n: i64 = self
            .devices()
            .filter(devices::id.eq(id))
            .count()
            .get_result(conn)?;
        Ok(n > 0)
    }

    /// The next `limit` devices after `after`, by id: `(id, time zone)`.
    pub fn chunk(
        &self,
        conn: &mut DbConn,
        after: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<(i64, Option<String>)>> {
        Ok(self
            .devices()
            .filter(devices::id.gt(after.unwrap_or(0)))
            .order(devices::id.asc())
            .limit(limit)
            .select((devices::id, devices::timezone))
            .load(conn)?)
    }
}

/// Pushes sent to each of `device_ids` since `since`.
pub fn sent_since(
    conn: &mut DbConn,
    device_ids: &[i64],
    since: NaiveDateTime,
) -> StoreResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = push_deliveries::table
        .filter(push_deliveries::device_id.eq_any(device_ids))
        .filter(push_deliveries::sent_at.ge(since))
        .filter(push_deliveries::status.eq("sent"))
        .group_by(push_deliveries::device_id)
        .select((push_deliveries::device_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
