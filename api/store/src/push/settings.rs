//! Each app's push settings: its FCM service account and APNs key, sealed.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::error::StoreResult;
use crate::schema::push_settings;
use crate::DbConn;

#[derive(Debug, Clone, Default, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = push_settings, treat_none_as_null = true)]
pub struct SettingsRow {
    pub app_id: i64,
    pub fcm_credentials: Option<String>,
    pub fcm_project_id: Option<String>,
    pub fcm_client_email: Option<String>,
    pub fcm_key_id: Option<String>,
    pub apns_credentials: Option<String>,
    pub apns_key_id: Option<String>,
    pub apns_team_id: Option<String>,
    pub apns_topic: Option<String>,
    pub apns_environment: Option<String>,
    pub quiet_start: Option<i32>,
    pub quiet_end: Option<i32>,
    pub daily_cap: Option<i32>,
    pub order_status_enabled: bool,
    pub order_status_template: Option<String>,
    pub version: i32,
    pub updated_at: NaiveDateTime,
}

crate::versioned!(SettingsRow, "push-settings", app_id);

impl SettingsRow {
    /// The app's settings; an app that saved none has the defaults (version 0).
    pub fn of(conn: &mut DbConn, app_id: i64) -> StoreResult<Self> {
        Ok(push_settings::table
            .find(app_id)
            .select(Self::as_select())
            .first(conn)
            .optional()?
            .unwrap_or(Self {
                app_id,
                ..Self::default()
            }))
    }

    /// Several apps' settings (the defaults for apps without).
    pub fn of_apps(conn: &mut DbConn, app_ids: &[i64]) -> StoreResult<HashMap<i64, Self>> {
        if app_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<Self> = push_settings::table
            .filter(push_settings::app_id.eq_any(app_ids))
            .select(Self::as_select())
            .load(conn)?;
        let mut map: HashMap<i64, Self> = rows.into_iter().map(|r| (r.app_id, r)).collect();
        for id in app_ids {
            map.entry(*id).or_insert_with(|| Self {
                app_id: *id,
                ..Self::default()
            });
        }
        Ok(map)
    }

    /// Stores `self` as the app's settings, one version on.
    pub fn save(mut self, conn: &mut DbConn) -> StoreResult<Self> {
        self.version += 1;
        let exists = diesel::update(push_settings::table.find(self.app_id))
            .set(&self)
            .execute(conn)?
            > 0;
        if !exists {
            diesel::insert_into(push_settings::table)
                .values(&self)
                .execute(conn)?;
        }
        Ok(self)
    }
}
