//! Who moves the money. Charges are made from inside a database transaction on the blocking
//! pool, so a provider is synchronous. The `test` provider moves none: Stripe's test payment
//! method ids decide the outcome, as they do in Stripe's test mode.

/// One charge to make.
#[derive(Debug, Clone)]
pub struct ChargeRequest<'a> {
    pub amount: i64,
    pub currency: &'a str,
    pub payment_method: &'a str,
    pub description: &'a str,
    /// Unique per attempt: a provider that honours idempotency charges an attempt once.
    pub idempotency_key: String,
}

/// What the provider answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    Succeeded {
        reference: String,
    },
    Declined {
        /// Stripe's `decline_code` (`generic_decline`, `insufficient_funds`, …).
        code: String,
        message: String,
    },
}

pub trait PaymentProvider: Send + Sync {
    /// Its name, stored with each payment.
    fn name(&self) -> &'static str;
    /// Whether `payment_method` names a payment method it knows.
    fn knows(&self, payment_method: &str) -> bool;
    fn charge(&self, request: &ChargeRequest<'_>) -> ChargeOutcome;
}

/// Stripe's test payment methods: those that succeed, and those declined with their reason.
const TEST_METHODS: &[(&str, Option<(&str, &str)>)] = &[
    ("pm_card_visa", None),
    ("pm_card_mastercard", None),
    ("pm_card_amex", None),
    (
        "pm_card_chargeDeclined",
        Some(("generic_decline", "Your card was declined.")),
    ),
    (
        "pm_card_chargeDeclinedInsufficientFunds",
        Some(("insufficient_funds", "Your card has insufficient funds.")),
    ),
    (
        "pm_card_chargeDeclinedExpiredCard",
        Some(("expired_card", "Your card has expired.")),
    ),
];

/// The default provider: no money moves.
#[derive(Debug, Default)]
pub struct TestProvider;

impl PaymentProvider for TestProvider {
    fn name(&self) -> &'static str {
        "test"
    }

    fn knows(&self, payment_method: &str) -> bool {
        TEST_METHODS.iter().any(|(id, _)| *id == payment_method)
    }

    fn charge(&self, request: &ChargeRequest<'_>) -> ChargeOutcome {
        match TEST_METHODS
            .iter()
            .find(|(id, _)| *id == request.payment_method)
        {
            Some((_, None)) => ChargeOutcome::Succeeded {
                reference: format!("test_ch_{}", request.idempotency_key),
            },
            Some((_, Some((code, message)))) => ChargeOutcome::Declined {
                code: (*code).to_owned(),
                message: (*message).to_owned(),
            },
            None => ChargeOutcome::Declined {
                code: "payment_method_unknown".into(),
                message: "No such payment method.".into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge(pm: &str) -> ChargeOutcome {
        TestProvider.charge(&ChargeRequest {
            amount: 100,
            currency: "EUR",
            payment_method: pm,
            description: "test",
            idempotency_key: "inv_1_1".into(),
        })
    }

    #[test]
    fn stripes_test_cards_succeed_or_decline_with_their_reason() {
        assert!(matches!(
            charge("pm_card_visa"),
            ChargeOutcome::Succeeded { .. }
        ));
        assert!(
            matches!(charge("pm_card_chargeDeclined"), ChargeOutcome::Declined { code, .. } if code == "generic_decline")
        );
        assert!(
            matches!(charge("pm_card_chargeDeclinedInsufficientFunds"), ChargeOutcome::Declined { code, .. } if code == "insufficient_funds")
        );
        assert!(!TestProvider.knows("pm_card_unknown"));
    }
}
