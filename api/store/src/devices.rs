//! Devices an app is installed on: registered and updated by the SDK, listed and summarised for
//! the back office.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use types::devices::{Device, DeviceFilter, Platform, Share};
use types::sdk::RegisterDevice;

use super::page::Paging;
use super::schema::devices;
use super::stored::Stored;
use super::DbConn;
use crate::error::StoreResult;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = devices)]
pub struct DeviceRow {
    pub id: i64,
    pub app_id: i64,
    pub installation_id: String,
    #[diesel(deserialize_as = Stored<Platform>)]
    pub platform: Platform,
    pub model: String,
    pub os_version: String,
    pub app_version: String,
    pub locale: Option<String>,
    pub timezone: Option<String>,
    pub push_token: Option<String>,
    pub push_enabled: bool,
    pub first_seen_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// What a registration sets, on insert and on update alike.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = devices, treat_none_as_null = true)]
struct DeviceReport<'a> {
    platform: &'a str,
    model: &'a str,
    os_version: &'a str,
    app_version: &'a str,
    locale: Option<&'a str>,
    timezone: Option<&'a str>,
    push_token: Option<&'a str>,
    push_enabled: bool,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = devices)]
struct NewDevice<'a> {
    app_id: i64,
    installation_id: &'a str,
    platform: &'a str,
    model: &'a str,
    os_version: &'a str,
    app_version: &'a str,
    locale: Option<&'a str>,
    timezone: Option<&'a str>,
    push_token: Option<&'a str>,
    push_enabled: bool,
    first_seen_at: NaiveDateTime,
    last_seen_at: NaiveDateTime,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

fn day_start(day: NaiveDate) -> NaiveDateTime {
    day.and_hms_opt(0, 0, 0).unwrap_or_default()
}

/// Applies a `DeviceFilter` to a boxed query of `devices` (a macro, because grouped and
/// ungrouped boxed queries are different types).
macro_rules! filter_devices {
    ($query:expr, $filter:expr) => {{
        let filter: &DeviceFilter = $filter;
        let mut query = $query;
        if let Some(platform) = filter.platform {
            query = query.filter(devices::platform.eq(platform.as_str()));
        }
        if let Some(v) = &filter.os_version {
            query = query.filter(devices::os_version.eq(v));
        }
        if let Some(v) = &filter.model {
            query = query.filter(devices::model.eq(v));
        }
        if let Some(v) = &filter.app_version {
            query = query.filter(devices::app_version.eq(v));
        }
        if let Some(v) = filter.push_enabled {
            query = query.filter(devices::push_enabled.eq(v));
        }
        if let Some(day) = filter.last_seen_from {
            query = query.filter(devices::last_seen_at.ge(day_start(day)));
        }
        if let Some(day) = filter.last_seen_to {
            query = query.filter(devices::last_seen_at.lt(day_start(day) + Duration::days(1)));
        }
        query
    }};
}

type Filtered<'a> = devices::BoxedQuery<'a, <DbConn as diesel::Connection>::Backend>;

impl DeviceRow {
    /// Registers an installation, or updates it when the app registered it before; the install
    /// time is kept from the first registration. `Ok((id, created))`.
    pub fn register(
        conn: &mut DbConn,
        app_id: i64,
        report: &RegisterDevice,
        installed_at: NaiveDateTime,
    ) -> StoreResult<(i64, bool)> {
        let now = crate::clock::now();
        let changes = DeviceReport {
            platform: report.platform.as_str(),
            model: report.model.trim(),
            os_version: report.os_version.trim(),
            app_version: report.app_version.trim(),
            locale: report.locale.as_deref(),
            timezone: report.timezone.as_deref(),
            push_token: report.push_token.as_deref(),
            push_enabled: report.push_enabled && report.push_token.is_some(),
            updated_at: now,
        };
        if let Some(id) = Self::id_of(conn, app_id, &report.installation_id)? {
            diesel::update(devices::table.find(id))
                .set((&changes, devices::last_seen_at.eq(now)))
                .execute(conn)?;
            return Ok((id, false));
        }
        let new = NewDevice {
            app_id,
            installation_id: &report.installation_id,
            platform: changes.platform,
            model: changes.model,
            os_version: changes.os_version,
            app_version: changes.app_version,
            locale: changes.locale,
            timezone: changes.timezone,
            push_token: changes.push_token,
            push_enabled: changes.push_enabled,
            first_seen_at: installed_at,
            // Moved forward by the events it reports.
            last_seen_at: installed_at,
            created_at: now,
            updated_at: now,
        };
        let id = diesel::insert_into(devices::table)
            .values(&new)
            .returning(devices::id)
            .get_result(conn)?;
        Ok((id, true))
    }

    /// The app's device with this id, if any.
    pub fn find(conn: &mut DbConn, app_id: i64, id: i64) -> StoreResult<Option<Self>> {
        Ok(devices::table
            .filter(devices::app_id.eq(app_id))
            .filter(devices::id.eq(id))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn id_of(
        conn: &mut DbConn,
        app_id: i64,
        installation_id: &str,
    ) -> StoreResult<Option<i64>> {
        Ok(devices::table
            .filter(devices::app_id.eq(app_id))
            .filter(devices::installation_id.eq(installation_id))
            .select(devices::id)
            .first(conn)
            .optional()?)
    }

    /// Ids of the app's devices with these installation ids (those it knows).
    pub fn ids_of(
        conn: &mut DbConn,
        app_id: i64,
        installation_ids: &[&str],
    ) -> StoreResult<Vec<(String, i64)>> {
        Ok(devices::table
            .filter(devices::app_id.eq(app_id))
            .filter(devices::installation_id.eq_any(installation_ids))
            .select((devices::installation_id, devices::id))
            .load(conn)?)
    }

    /// Moves each device's `last_seen_at` forward to its time (never back), in one statement.
    /// On PostgreSQL the rows are locked in id order first, as every writer of devices locks
    /// them, so that concurrent batches never deadlock.
    pub fn seen(conn: &mut DbConn, seen: &[(i64, NaiveDateTime)]) -> StoreResult<()> {
        if seen.is_empty() {
            return Ok(());
        }
        let postgres = matches!(conn, DbConn::Postgres(_));
        // Integers and times computed here: literals are safe.
        let values = seen
            .iter()
            .map(|(id, at)| {
                let at = super::events::sql_time(*at);
                if postgres {
                    format!("({id}, TIMESTAMP '{at}')")
                } else {
                    format!("({id}, '{at}')")
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let (lock, locked, is_locked) = if postgres {
            (
                ", locked AS (SELECT d.id FROM devices d JOIN seen ON seen.id = d.id \
                 WHERE d.last_seen_at < seen.at ORDER BY d.id FOR UPDATE OF d)",
                ", locked",
                " AND locked.id = seen.id",
            )
        } else {
            ("", "", "")
        };
        diesel::sql_query(format!(
            "WITH seen (id, at) AS (VALUES {values}){lock} \
             UPDATE devices SET last_seen_at = seen.at FROM seen{locked} \
             WHERE devices.id = seen.id{is_locked} AND devices.last_seen_at < seen.at"
        ))
        .execute(conn)?;
        Ok(())
    }

    fn filtered<'a>(app_id: i64, filter: &'a DeviceFilter) -> Filtered<'a> {
        let query = devices::table
            .filter(devices::app_id.eq(app_id))
            .into_boxed();
        filter_devices!(query, filter)
    }

    /// One page, newest first (after `older_than`, an id, when paging by keyset), and the total.
    pub fn list(
        conn: &mut DbConn,
        app_id: i64,
        filter: &DeviceFilter,
        paging: &Paging<i64>,
    ) -> StoreResult<(Vec<Self>, i64)> {
        let total = Self::filtered(app_id, filter)
            .count()
            .get_result::<i64>(conn)?;
        let mut query = Self::filtered(app_id, filter);
        if let Some(id) = paging.after {
            query = query.filter(devices::id.lt(id));
        }
        let rows = query
            .order(devices::id.desc())
            .select(Self::as_select())
            .limit(paging.limit)
            .offset(paging.offset)
            .load(conn)?;
        Ok((rows, total))
    }

    /// Device counts by platform, model, OS version and app version.
    pub fn breakdown(
        conn: &mut DbConn,
        app_id: i64,
        filter: &DeviceFilter,
    ) -> StoreResult<Breakdown> {
        use diesel::dsl::count_star;
        let total = Self::filtered(app_id, filter).count().get_result(conn)?;
        let push_enabled = Self::filtered(app_id, filter)
            .filter(devices::push_enabled.eq(true))
            .count()
            .get_result(conn)?;
        macro_rules! grouped {
            ($column:expr) => {
                devices::table
                    .filter(devices::app_id.eq(app_id))
                    .group_by($column)
                    .select(($column, count_star()))
                    .into_boxed()
            };
        }
        let by_platform =
            filter_devices!(grouped!(devices::platform), filter).load::<(String, i64)>(conn)?;
        let by_model =
            filter_devices!(grouped!(devices::model), filter).load::<(String, i64)>(conn)?;
        let by_app_version =
            filter_devices!(grouped!(devices::app_version), filter).load::<(String, i64)>(conn)?;
        let by_os_version = filter_devices!(
            devices::table
                .filter(devices::app_id.eq(app_id))
                .group_by((devices::platform, devices::os_version))
                .select((devices::platform, devices::os_version, count_star()))
                .into_boxed(),
            filter
        )
        .load::<(String, String, i64)>(conn)?;
        Ok(Breakdown {
            total,
            push_enabled,
            by_platform: by_platform.into_iter().map(|(v, n)| (v, None, n)).collect(),
            by_model: by_model.into_iter().map(|(v, n)| (v, None, n)).collect(),
            by_os_version: by_os_version
                .into_iter()
                .map(|(p, v, n)| (v, p.parse().ok(), n))
                .collect(),
            by_app_version: by_app_version
                .into_iter()
                .map(|(v, n)| (v, None, n))
                .collect(),
        })
    }

    /// The wire form.
    pub fn to_wire(&self) -> Device {
        Device {
            id: self.id.to_string(),
            installation_id: self.installation_id.clone(),
            platform: self.platform,
            model: self.model.clone(),
            os_version: self.os_version.clone(),
            app_version: self.app_version.clone(),
            locale: self.locale.clone(),
            timezone: self.timezone.clone(),
            push_enabled: self.push_enabled,
            first_seen_at: super::utc(self.first_seen_at),
            last_seen_at: super::utc(self.last_seen_at),
        }
    }
}

/// Raw counts: `(value, platform, count)` rows per dimension.
pub struct Breakdown {
    pub total: i64,
    pub push_enabled: i64,
    pub by_platform: Vec<(String, Option<Platform>, i64)>,
    pub by_model: Vec<(String, Option<Platform>, i64)>,
    pub by_os_version: Vec<(String, Option<Platform>, i64)>,
    pub by_app_version: Vec<(String, Option<Platform>, i64)>,
}

/// The ten most common values with their shares of `total`, and one `(other)` row for the rest.
pub fn top_shares(mut rows: Vec<(String, Option<Platform>, i64)>, total: i64) -> Vec<Share> {
    const SHOWN: usize = 10;
    rows.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    let share = |count: i64| {
        if total == 0 {
            0.0
        } else {
            count as f64 / total as f64
        }
    };
    let rest: i64 = rows.iter().skip(SHOWN).map(|r| r.2).sum();
    let mut shares: Vec<Share> = rows
        .into_iter()
        .take(SHOWN)
        .map(|(value, platform, count)| Share {
            value,
            platform,
            count,
            share: share(count),
        })
        .collect();
    if rest > 0 {
        shares.push(Share {
            value: "(other)".into(),
            platform: None,
            count: rest,
            share: share(rest),
        });
    }
    shares
}

#[cfg(test)]
mod tests {
    use super::top_shares;

    #[test]
    fn the_ten_most_common_values_are_shown_and_the_rest_summed_up() {
        let rows = (1..=12)
            .map(|n| (format!("m{n:02}"), None, i64::from(n)))
            .collect();
        let shares = top_shares(rows, 78);
        assert_eq!(shares.len(), 11);
        assert_eq!(shares[0].value, "m12");
        assert_eq!(shares[10].value, "(other)");
        assert_eq!(shares[10].count, 3, "m01 + m02");
        let sum: f64 = shares.iter().map(|s| s.share).sum();
        assert!((sum - 1.0).abs() < 1e-9);
    }
}
