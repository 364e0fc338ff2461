//! Orders, their lines and the steps of their trace as the API answers them.

use types::orders::{Actor, ActorKind, Buyer, Order, OrderHistoryEntry, OrderLine};

use super::{EventRow, LineRow, OrderRow};

impl OrderRow {
    /// The wire form.
    pub fn to_wire(&self) -> Order {
        let id = |v: Option<i64>| v.map(|v| v.to_string());
        Order {
            id: self.id.to_string(),
            app_id: self.app_id.to_string(),
            order_number: self.order_number.clone(),
            status: self.status,
            currency: self.currency.clone(),
            placed_at: crate::utc(self.placed_at),
            subtotal: self.subtotal,
            shipping: self.shipping,
            tax: self.tax,
            discount: self.discount,
            total: self.total,
            refunded_amount: self.refunded_amount,
            line_count: self.line_count,
            buyer: Buyer {
                mobile_user_id: id(self.mobile_user_id),
                email: self.buyer_email.clone(),
                name: self.buyer_name.clone(),
                guest: self.guest,
            },
            installation_id: self.installation_id.clone(),
            device_id: id(self.device_id),
            quote_id: id(self.quote_id),
            created_at: crate::utc(self.created_at),
            updated_at: crate::utc(self.updated_at),
            lines: None,
            device: None,
            history: None,
        }
    }
}

impl LineRow {
    pub fn to_wire(&self) -> OrderLine {
        OrderLine {
            sku: self.sku.clone(),
            name: self.name.clone(),
            quantity: self.quantity,
            unit_price: self.unit_price,
            line_total: self.quantity * self.unit_price,
        }
    }
}

impl EventRow {
    pub fn to_wire(&self) -> OrderHistoryEntry {
        OrderHistoryEntry {
            status: self.status,
            at: crate::utc(self.created_at),
            actor: Actor {
                kind: if self.actor_id.is_some() || self.actor_email.is_some() {
                    ActorKind::Account
                } else {
                    ActorKind::App
                },
                account_id: self.actor_id.map(|id| id.to_string()),
                email: self.actor_email.clone(),
                impersonator_id: self.impersonator_id.map(|id| id.to_string()),
            },
            note: self.note.clone(),
            refunded_amount: self.refunded_amount,
        }
    }
}
