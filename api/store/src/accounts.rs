//! Accounts of every role: admins, partners, customers.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use types::accounts::{Account, AccountSort, AccountStatus, Role};
use types::email::Email;

use super::page::{created_before, Paging};
use super::schema::accounts;
use super::stored::Stored;
use super::DbConn;
use crate::error::StoreResult;

diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);

/// The name the back office shows for an account (its company, else first and last name), in
/// lower case: what "sort by name" orders by, so `apple` and `Zebra` sort as people expect.
fn shown_name() -> diesel::expression::SqlLiteral<diesel::sql_types::Text> {
    diesel::dsl::sql(
        "lower(coalesce(nullif(accounts.company, ''), accounts.first_name || ' ' || accounts.last_name))",
    )
}

/// `accounts.id = $me OR accounts.partner_id = $partner`: the accounts within someone's reach
/// (built by `scope::Scope::accounts_rule`).
pub type AccountsRule = diesel::dsl::Or<
    diesel::dsl::Eq<accounts::id, i64>,
    diesel::dsl::Eq<accounts::partner_id, Option<i64>>,
>;

/// An account as the back office shows and edits it: everything but the password hash, which
/// only signing in and changing the password read ([`AccountRow::password_hash`]).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct AccountRow {
    pub id: i64,
    pub email: String,
    #[diesel(deserialize_as = Stored<Role>)]
    pub role: Role,
    #[diesel(deserialize_as = Stored<AccountStatus>)]
    pub status: AccountStatus,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub phone: Option<String>,
    pub country: Option<String>,
    pub partner_id: Option<i64>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub billing_name: Option<String>,
    pub billing_address: Option<String>,
    pub vat_id: Option<String>,
    pub coupon_max_percent_off: Option<i32>,
    pub allow_log_in_as: bool,
}

/// Who a request comes from: the columns authentication, tenancy and the audit log read on every
/// request, and nothing else (not the password hash, the names or the billing details).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = accounts)]
pub struct Principal {
    pub id: i64,
    pub email: String,
    #[diesel(deserialize_as = Stored<Role>)]
    pub role: Role,
    #[diesel(deserialize_as = Stored<AccountStatus>)]
    pub status: AccountStatus,
    pub partner_id: Option<i64>,
}

impl Principal {
    pub fn find(conn: &mut DbConn, id: i64) -> StoreResult<Option<Self>> {
        Ok(accounts::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// The accounts with these ids, in one query (a session's account and its impersonator).
    pub fn find_many(conn: &mut DbConn, ids: &[i64]) -> StoreResult<Vec<Self>> {
        Ok(accounts::table
            .filter(accounts::id.eq_any(ids))
            .select(Self::as_select())
            .load(conn)?)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = accounts)]
pub struct NewAccount<'a> {
    pub email: &'a str,
    pub password_hash: Option<&'a str>,
    pub role: &'a str,
    pub status: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub company: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub country: Option<&'a str>,
    pub partner_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Profile fields a `PATCH` may change; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = accounts)]
pub struct AccountChanges {
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub company: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub country: Option<Option<String>>,
    pub status: Option<String>,
    pub password_hash: Option<Option<String>>,
    pub billing_name: Option<Option<String>>,
    pub billing_address: Option<Option<String>>,
    pub vat_id: Option<Option<String>>,
    pub coupon_max_percent_off: Option<Option<i32>>,
    pub allow_log_in_as: Option<bool>,
}

/// Filters of account lists, already parsed.
#[derive(Debug, Default)]
pub struct AccountQuery {
    pub role: Option<Role>,
    pub partner_id: Option<i64>,
    pub q: Option<String>,
    pub status: Option<AccountStatus>,
    /// Created at or after (UTC).
    pub created_from: Option<NaiveDateTime>,
    /// Created before (UTC).
    pub created_before: Option<NaiveDateTime>,
    pub sort: AccountSort,
}

crate::versioned!(AccountRow, "");

impl AccountRow {
    pub fn role(&self) -> Role {
        self.role
    }

    pub fn principal(&self) -> Principal {
        Principal {
            id: self.id,
            email: self.email.clone(),
            role: self.role,
            status: self.status,
            partner_id: self.partner_id,
        }
    }

    pub fn status(&self) -> AccountStatus {
        self.status
    }

    pub fn find(conn: &mut DbConn, id: i64) -> StoreResult<Option<Self>> {
        Ok(accounts::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    pub fn find_by_email(conn: &mut DbConn, email: &Email) -> StoreResult<Option<Self>> {
        Ok(accounts::table
            .filter(accounts::email.eq(email.as_str()))
            .select(Self::as_select())
            .first(conn)
            .optional()?)
    }

    /// The account's password hash (`None` while it has no password), if the account exists.
    pub fn password_hash(conn: &mut DbConn, id: i64) -> StoreResult<Option<String>> {
        Ok(accounts::table
            .find(id)
            .select(accounts::password_hash)
            .first::<Option<String>>(conn)
            .optional()?
            .flatten())
    }

    pub fn email_in_use(
        conn: &mut DbConn,
        email: &Email,
        except: Option<i64>,
    ) -> StoreResult<bool> {
        let mut query = accounts::table
            .filter(accounts::email.eq(email.as_str()))
            .into_boxed();
        if let Some(id) = except {
            query = query.filter(accounts::id.ne(id));
        }
        Ok(query.count().get_result::<i64>(conn)? > 0)
    }

    pub fn insert(conn: &mut DbConn, new: &NewAccount<'_>) -> StoreResult<Self> {
        let id: i64 = diesel::insert_into(accounts::table)
            .values(new)
            .returning(accounts::id)
            .get_result(conn)?;
        Self::find(conn, id)?.ok_or(crate::StoreError::NotFound)
    }

    /// Applies `changes` and bumps the version (the ETag), returning the new row.
    pub fn update(conn: &mut DbConn, id: i64, changes: &AccountChanges) -> StoreResult<Self> {
        diesel::update(accounts::table.find(id))
            .set((
                changes,
                accounts::version.eq(accounts::version + 1),
                accounts::updated_at.eq(crate::clock::now()),
            ))
            .execute(conn)?;
        Self::find(conn, id)?.ok_or(crate::StoreError::NotFound)
    }

    pub fn delete(conn: &mut DbConn, id: i64) -> StoreResult<()> {
        diesel::delete(accounts::table.find(id)).execute(conn)?;
        Ok(())
    }

    pub fn count_customers_of(conn: &mut DbConn, partner_id: i64) -> StoreResult<i64> {
        Ok(accounts::table
            .filter(accounts::partner_id.eq(partner_id))
            .count()
            .get_result(conn)?)
    }

    /// One page of accounts and the total matching the filters.
    pub fn list(
        conn: &mut DbConn,
        filter: &AccountQuery,
        paging: &Paging<(NaiveDateTime, i64)>,
    ) -> StoreResult<(Vec<Self>, i64)> {
        let build = || {
            let mut query = accounts::table.into_boxed();
            if let Some(role) = filter.role {
                query = query.filter(accounts::role.eq(role.as_str()));
            }
            if let Some(partner) = filter.partner_id {
                query = query.filter(accounts::partner_id.eq(partner));
            }
            if let Some(status) = filter.status {
                query = query.filter(accounts::status.eq(status.as_str()));
            }
            if let Some(from) = filter.created_from {
                query = query.filter(accounts::created_at.ge(from));
            }
            if let Some(before) = filter.created_before {
                query = query.filter(accounts::created_at.lt(before));
            }
            if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
                query = query.filter(
                    lower(accounts::first_name)
                        .like(pattern.clone())
                        .escape('\\')
                        .or(lower(accounts::last_name)
                            .like(pattern.clone())
                            .escape('\\'))
                        .or(accounts::email.like(pattern.clone()).escape('\\'))
                        .or(lower(accounts::company.assume_not_null())
                            .like(pattern)
                            .escape('\\')),
                );
            }
            query
        };
        let total = build().count().get_result::<i64>(conn)?;
        let mut query = build();
        if let Some(after) = paging.after {
            query = query.filter(created_before("accounts", after));
        }
        let query = match filter.sort {
            AccountSort::CreatedDesc => {
                query.order((accounts::created_at.desc(), accounts::id.desc()))
            }
            AccountSort::CreatedAsc => {
                query.order((accounts::created_at.asc(), accounts::id.asc()))
            }
            AccountSort::EmailAsc => query.order(accounts::email.asc()),
            AccountSort::EmailDesc => query.order(accounts::email.desc()),
            AccountSort::NameAsc => query.order((shown_name().asc(), accounts::id.asc())),
            AccountSort::NameDesc => query.order((shown_name().desc(), accounts::id.desc())),
        };
        let rows = query
            .select(Self::as_select())
            .limit(paging.limit)
            .offset(paging.offset)
            .load(conn)?;
        Ok((rows, total))
    }

    /// The keyset key of lists newest first.
    pub fn created_key(&self) -> (NaiveDateTime, i64) {
        (self.created_at, self.id)
    }

    /// The wire form.
    pub fn to_wire(&self) -> Account {
        Account {
            id: self.id.to_string(),
            email: self.email.clone(),
            role: self.role(),
            status: self.status(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            company: self.company.clone(),
            phone: self.phone.clone(),
            country: self.country.clone(),
            partner_id: self.partner_id.map(|id| id.to_string()),
            billing_name: self.billing_name.clone(),
            billing_address: self.billing_address.clone(),
            vat_id: self.vat_id.clone(),
            coupon_max_percent_off: self.coupon_max_percent_off,
            allow_log_in_as: self.allow_log_in_as,
            created_at: super::utc(self.created_at),
            updated_at: super::utc(self.updated_at),
            impersonated_by: None,
            impersonated_by_email: None,
            read_only: false,
        }
    }
}

/// A clearable text field as stored: trimmed, and blank is cleared.
pub fn trimmed(value: Option<Option<String>>) -> Option<Option<String>> {
    value.map(|v| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
}

/// Makes `%`, `_` and `\` in user input match themselves in a `LIKE … ESCAPE '\'`.
pub fn escape_like(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape_like;

    #[test]
    fn like_wildcards_in_a_search_match_themselves() {
        assert_eq!(escape_like("50%_off\\"), "50\\%\\_off\\\\");
    }
}
