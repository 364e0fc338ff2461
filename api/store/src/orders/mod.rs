//! Orders of Standard apps, their lines and their trace (`order_events`); their wire forms are
//! in `wire.rs`.

mod wire;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::orders::{OrderFilter, OrderStatus};

use crate::accounts::{escape_like, lower};
use crate::error::{StoreError, StoreResult};
use crate::page::{time_before, Paging};
use crate::schema::{order_events, order_lines, orders};
use crate::stored::Stored;
use crate::DbConn;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = orders)]
pub struct OrderRow {
    pub id: i64,
    pub app_id: i64,
    pub order_number: String,
    #[diesel(deserialize_as = Stored<OrderStatus>)]
    pub status: OrderStatus,
    pub currency: String,
    pub placed_at: NaiveDateTime,
    pub subtotal: i64,
    pub shipping: i64,
    pub tax: i64,
    pub discount: i64,
    pub total: i64,
    pub refunded_amount: i64,
    pub line_count: i64,
    pub mobile_user_id: Option<i64>,
    pub buyer_email: Option<String>,
    pub buyer_name: Option<String>,
    pub guest: bool,
    pub installation_id: Option<String>,
    pub device_id: Option<i64>,
    pub quote_id: Option<i64>,
    pub content_hash: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = orders)]
pub struct NewOrder {
    pub app_id: i64,
    pub order_number: String,
    pub status: &'static str,
    pub currency: String,
    pub placed_at: NaiveDateTime,
    pub subtotal: i64,
    pub shipping: i64,
    pub tax: i64,
    pub discount: i64,
    pub total: i64,
    pub line_count: i64,
    pub mobile_user_id: Option<i64>,
    pub buyer_email: Option<String>,
    pub buyer_name: Option<String>,
    pub guest: bool,
    pub installation_id: Option<String>,
    pub device_id: Option<i64>,
    pub quote_id: Option<i64>,
    pub content_hash: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = order_lines)]
pub struct LineRow {
    #[diesel(skip_insertion)]
    pub id: i64,
    pub order_id: i64,
    pub position: i32,
    pub sku: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price: i64,
}

/// One step of the trace.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_events)]
pub struct EventRow {
    pub id: i64,
    pub order_id: i64,
    #[diesel(deserialize_as = Stored<OrderStatus>)]
    pub status: OrderStatus,
    /// `None`: the mobile app.
    pub actor_id: Option<i64>,
    pub actor_email: Option<String>,
    pub impersonator_id: Option<i64>,
    pub note: Option<String>,
    pub refunded_amount: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// A step to record: the status reached, who moved it (no actor: the mobile app), a note.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = order_events)]
pub struct NewEvent {
    pub order_id: i64,
    pub status: &'static str,
    pub actor_id: Option<i64>,
    pub actor_email: Option<String>,
    pub impersonator_id: Option<i64>,
    pub note: Option<String>,
    pub refunded_amount: Option<i64>,
    pub created_at: NaiveDateTime,
}

type Filtered<'a> = orders::BoxedQuery<'a, <DbConn as diesel::Connection>::Backend>;

crate::versioned!(OrderRow, "order");

impl OrderRow {
    /// The app's order with this id; another app's is a 404.
    pub fn find(conn: &mut DbConn, app_id: i64, id: i64) -> StoreResult<Self> {
        orders::table
            .filter(orders::app_id.eq(app_id))
            .filter(orders::id.eq(id))
            .select(Self::as_select())
            .first(conn)
            .optional()?
            .ok_or(StoreError::NotFound)
    }

    /// [`find`](Self::find), locking the row until the transaction ends (PostgreSQL; SQLite
    /// write transactions already run one at a time).
    pub fn find_for_update(conn: &mut DbConn, app_id: i64, id: i64) -> StoreResult<Self> {
        macro_rules! one {
            () => {
                orders::table
                    .filter(orders::app_id.eq(app_id))
                    .filter(orders::id.eq(id))
                    .select(Self::as_select())
            };
        }
        let row = match conn {
            DbConn::Postgres(pg) => one!().for_update().first(pg).optional()?,
            DbConn::Sqlite(sqlite) => one!().first(sqlite).optional()?,
        };
        row.ok_or(StoreError::NotFound)
    }

    pub fn find_by_number(
        conn: &mut DbConn,
        app_id: i64,
        number: &str,
    ) -> StoreResult<Option<Self>> {
        Ok(orders::table
            .filter(orders::app_id.eq(app_id))
            .filter(orders::order_number.eq(number))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// The order that took up a quote, if any.
    pub fn id_for_quote(conn: &mut DbConn, quote_id: i64) -> StoreResult<Option<i64>> {
        Ok(Self::ids_for_quotes(conn, &[quote_id])?.remove(&quote_id))
    }

    /// The orders that took up any of `quote_ids`, by quote: one query for a page of quotes.
    pub fn ids_for_quotes(
        conn: &mut DbConn,
        quote_ids: &[i64],
    ) -> StoreResult<std::collections::HashMap<i64, i64>> {
        let pairs: Vec<(Option<i64>, i64)> = orders::table
            .filter(orders::quote_id.eq_any(quote_ids))
            .select((orders::quote_id, orders::id))
            .load(conn)?;
        Ok(pairs
            .into_iter()
            .filter_map(|(quote, order)| quote.map(|q| (q, order)))
            .collect())
    }

    /// Stores an order with its lines and the first step of its trace (`pending`, by the app);
    /// `None`, storing nothing, when the app has an order with this number already (one sent at
    /// the same moment included: the statement waits for it).
    pub fn insert(
        conn: &mut DbConn,
        new: &NewOrder,
        lines: Vec<LineRow>,
    ) -> StoreResult<Option<Self>> {
        // A macro, not a value: the upsert is typed by the backend it runs on.
        macro_rules! insert {
            () => {
                diesel::insert_into(orders::table)
                    .values(new)
                    .on_conflict((orders::app_id, orders::order_number))
                    .do_nothing()
                    .returning(orders::id)
            };
        }
        let inserted: Option<i64> = match conn {
            DbConn::Postgres(pg) => insert!().get_result(pg).optional()?,
            DbConn::Sqlite(sqlite) => insert!().get_result(sqlite).optional()?,
        };
        let Some(id) = inserted else { return Ok(None) };
        let lines: Vec<LineRow> = lines
            .into_iter()
            .map(|line| LineRow {
                order_id: id,
                ..line
            })
            .collect();
        crate::insert_many!(conn, order_lines::table, &lines)?;
        NewEvent::insert(
            conn,
            &NewEvent {
                order_id: id,
                status: OrderStatus::Pending.as_str(),
                actor_id: None,
                actor_email: None,
                impersonator_id: None,
                note: None,
                refunded_amount: None,
                created_at: new.created_at,
            },
        )?;
        Self::find(conn, new.app_id, id).map(Some)
    }

    /// Moves the order to `event.status` (adding `event.refunded_amount` to what was refunded)
    /// and records the step.
    pub fn change_status(conn: &mut DbConn, current: &Self, event: &NewEvent) -> StoreResult<Self> {
        let refunded = current.refunded_amount + event.refunded_amount.unwrap_or(0);
        diesel::update(orders::table.find(current.id))
            .set((
                orders::status.eq(event.status),
                orders::refunded_amount.eq(refunded),
                orders::version.eq(orders::version + 1),
                orders::updated_at.eq(event.created_at),
            ))
            .execute(conn)?;
        NewEvent::insert(conn, event)?;
        Self::find(conn, current.app_id, current.id)
    }

    pub fn lines(conn: &mut DbConn, order_id: i64) -> StoreResult<Vec<LineRow>> {
        Ok(order_lines::table
            .filter(order_lines::order_id.eq(order_id))
            .order(order_lines::position.asc())
            .select(LineRow::as_select())
            .load(conn)?)
    }

    pub fn history(conn: &mut DbConn, order_id: i64) -> StoreResult<Vec<EventRow>> {
        Ok(order_events::table
            .filter(order_events::order_id.eq(order_id))
            .order(order_events::id.asc())
            .select(EventRow::as_select())
            .load(conn)?)
    }

    fn filtered(app_id: i64, filter: &OrderFilter) -> Filtered<'static> {
        let mut query = orders::table.filter(orders::app_id.eq(app_id)).into_boxed();
        if let Some(status) = filter.status {
            query = query.filter(orders::status.eq(status.as_str()));
        }
        if let Some(from) = filter.placed_from {
            query = query.filter(orders::placed_at.ge(crate::micros(from.naive_utc())));
        }
        if let Some(to) = filter.placed_to {
            query = query.filter(orders::placed_at.lt(crate::micros(to.naive_utc())));
        }
        if let Some(min) = filter.total_min {
            query = query.filter(orders::total.ge(min));
        }
        if let Some(max) = filter.total_max {
            query = query.filter(orders::total.le(max));
        }
        if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
            query = query.filter(
                lower(orders::order_number)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(lower(orders::buyer_email.assume_not_null())
                        .like(pattern.clone())
                        .escape('\\'))
                    .or(lower(orders::buyer_name.assume_not_null())
                        .like(pattern)
                        .escape('\\')),
            );
        }
        query
    }

    /// One page, newest placed first, and the total.
    pub fn list(
        conn: &mut DbConn,
        app_id: i64,
        filter: &OrderFilter,
        paging: &Paging<(NaiveDateTime, i64)>,
    ) -> StoreResult<(Vec<Self>, i64)> {
        let total = Self::filtered(app_id, filter)
            .count()
            .get_result::<i64>(conn)?;
        let rows = Self::page(conn, app_id, filter, paging)?;
        Ok((rows, total))
    }

    /// One page without the count (the CSV export walks the list in chunks).
    pub fn page(
        conn: &mut DbConn,
        app_id: i64,
        filter: &OrderFilter,
        paging: &Paging<(NaiveDateTime, i64)>,
    ) -> StoreResult<Vec<Self>> {
        let mut query = Self::filtered(app_id, filter);
        if let Some(after) = paging.after {
            query = query.filter(time_before("orders", "placed_at", after));
        }
        Ok(query
            .order((orders::placed_at.desc(), orders::id.desc()))
            .select(Self::as_select())
            .limit(paging.limit)
            .offset(paging.offset)
            .load(conn)?)
    }

    pub fn key(&self) -> (NaiveDateTime, i64) {
        (self.placed_at, self.id)
    }
}

impl NewEvent {
    fn insert(conn: &mut DbConn, event: &Self) -> StoreResult<()> {
        diesel::insert_into(order_events::table)
            .values(event)
            .execute(conn)?;
        Ok(())
    }
}
