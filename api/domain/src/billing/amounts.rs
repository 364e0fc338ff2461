//! What an invoice adds up to: amounts, VAT by where the buyer is, and who it is addressed to.

use super::*;

/// The member states of the European Union (reverse charge applies between them).
pub(super) const EU: &[&str] = &[
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// The amounts of an invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Amounts {
    pub subtotal: i64,
    pub discount: i64,
    pub tax: i64,
    pub total: i64,
}

/// `value × numerator / denominator`, rounded half up (amounts are never negative).
pub(super) fn share(value: i64, numerator: i64, denominator: i64) -> i64 {
    let exact = i128::from(value) * i128::from(numerator);
    let d = i128::from(denominator);
    i64::try_from((exact + d / 2) / d).unwrap_or(i64::MAX)
}

/// The discount on `subtotal`: a percentage (rounded half up), or an amount (at most the
/// subtotal); then VAT at `vat_rate` basis points on what is left.
pub fn amounts(
    subtotal: i64,
    percent_off: Option<i32>,
    amount_off: Option<i64>,
    vat_rate: i32,
) -> Amounts {
    let discount = match (percent_off, amount_off) {
        (Some(p), _) => share(subtotal, i64::from(p), 100),
        (None, Some(a)) => a.min(subtotal),
        (None, None) => 0,
    };
    let net = subtotal - discount;
    let tax = share(net, i64::from(vat_rate), 10_000);
    Amounts {
        subtotal,
        discount,
        tax,
        total: net + tax,
    }
}

/// The VAT rate for a buyer and whether the reverse charge applies: the seller's rate at home
/// and for consumers (no VAT id) elsewhere in the EU; none, reverse charged, for a business with
/// a VAT id elsewhere in the EU; none outside the EU (services exported). A seller outside the
/// EU charges its rate to all.
pub fn vat_for(seller: &Seller, country: Option<&str>, vat_id: Option<&str>) -> (i32, bool) {
    let seller_in_eu = EU.contains(&seller.country.as_str());
    match country.map(str::to_uppercase) {
        _ if !seller_in_eu => (seller.vat_rate, false),
        None => (seller.vat_rate, false),
        Some(c) if c == seller.country => (seller.vat_rate, false),
        Some(c) if EU.contains(&c.as_str()) => match vat_id.filter(|v| !v.trim().is_empty()) {
            Some(_) => (0, true),
            None => (seller.vat_rate, false),
        },
        Some(_) => (0, false),
    }
}

/// The billed account's details, as the invoice addresses it.
#[derive(Debug, Clone, Queryable)]
pub struct BillTo {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub company: Option<String>,
    pub country: Option<String>,
    pub billing_name: Option<String>,
    pub billing_address: Option<String>,
    pub vat_id: Option<String>,
}

impl BillTo {
    pub fn load(conn: &mut DbConn, ids: &[i64]) -> AppResult<HashMap<i64, Self>> {
        let rows: Vec<(i64, Self)> = accounts::table
            .filter(accounts::id.eq_any(ids))
            .select((
                accounts::id,
                (
                    accounts::email,
                    accounts::first_name,
                    accounts::last_name,
                    accounts::company,
                    accounts::country,
                    accounts::billing_name,
                    accounts::billing_address,
                    accounts::vat_id,
                ),
            ))
            .load(conn)?;
        Ok(rows.into_iter().collect())
    }

    pub(super) fn one(conn: &mut DbConn, id: Option<i64>) -> AppResult<Option<Self>> {
        Ok(match id {
            Some(id) => Self::load(conn, &[id])?.remove(&id),
            None => None,
        })
    }

    /// The name on the invoice: the billing name, else the company, else the person.
    pub fn name(&self) -> String {
        self.billing_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .or_else(|| self.company.clone().filter(|c| !c.trim().is_empty()))
            .unwrap_or_else(|| format!("{} {}", self.first_name, self.last_name))
    }

    /// The greeting in emails.
    pub(super) fn greeting(&self) -> &str {
        &self.first_name
    }
}
