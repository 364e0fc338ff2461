//! Who moves the money. Charges are made from inside a database transaction on the blocking
//! pool, so a provider is synchronous. The `test` provider moves none: Stripe's test payment
//! method ids decide the outcome, as they do in Stripe's test mode. The `stripe` provider is in
//! [`super::stripe`].

/// The account being charged, as a provider's customer record describes it.
#[derive(Debug, Clone, Copy)]
pub struct Payer<'a> {
    pub account_id: i64,
    pub email: &'a str,
    pub name: &'a str,
}

/// One charge to make.
#[derive(Debug, Clone)]
pub struct ChargeRequest<'a> {
    pub amount: i64,
    pub currency: &'a str,
    pub payment_method: &'a str,
    /// The payer's customer record at the provider, when it keeps one.
    pub customer: Option<&'a str>,
    pub description: &'a str,
    pub invoice_id: i64,
    /// Unique per attempt and payment method: a provider that honours idempotency charges an
    /// attempt once, however often it is sent.
    pub idempotency_key: String,
}

/// What the provider answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeOutcome {
    Succeeded {
        reference: String,
    },
    /// Accepted, with the result to come later through the provider's webhook.
    Pending {
        reference: String,
    },
    Declined {
        /// Stripe's `decline_code` (`generic_decline`, `insufficient_funds`, …).
        code: String,
        message: String,
        reference: Option<String>,
    },
}

/// A payment method kept for later charges without the payer present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedMethod {
    /// The payer's customer record, when the provider made one now (to be remembered).
    pub new_customer: Option<String>,
    /// The id to charge from now on (Stripe gives a test card id a new id when attaching it).
    pub payment_method: String,
}

/// The asynchronous result of a charge, from a verified provider webhook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// The charge's reference (Stripe: the PaymentIntent id).
    pub reference: String,
    /// `Err((code, message))` when it failed.
    pub result: Result<(), (String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// The provider could not be reached or did not answer in time; nothing was recorded, and
    /// trying the same attempt again is safe (the attempt's idempotency key is the same).
    #[error("the payment provider is unavailable: {0}")]
    Unavailable(String),
    /// The payment method could not be saved (the card was refused when attaching it).
    #[error("{message} ({code})")]
    Refused { code: String, message: String },
}

/// Why a provider webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("this installation takes no webhooks from that provider")]
    NotConfigured,
    #[error("{0}")]
    BadSignature(&'static str),
    #[error("the event is not valid JSON of the expected shape")]
    Malformed,
}

pub trait PaymentProvider: Send + Sync {
    /// Its name, stored with each payment.
    fn name(&self) -> &'static str;
    /// Whether `payment_method` looks like a payment method id it takes.
    fn knows(&self, payment_method: &str) -> bool;
    /// Keeps `payment_method` for off-session charges of `payer` (whose customer record is
    /// `customer`, when it has one there yet).
    fn save_method(
        &self,
        payer: &Payer<'_>,
        customer: Option<&str>,
        payment_method: &str,
    ) -> Result<SavedMethod, ProviderError>;
    fn charge(&self, request: &ChargeRequest<'_>) -> Result<ChargeOutcome, ProviderError>;
    /// Verifies a webhook (its signature header, its raw body) received at `now` (Unix seconds);
    /// `Ok(None)` for a genuine event that settles nothing.
    fn read_webhook(
        &self,
        signature: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> Result<Option<Settlement>, WebhookError>;
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

    fn save_method(
        &self,
        _payer: &Payer<'_>,
        _customer: Option<&str>,
        payment_method: &str,
    ) -> Result<SavedMethod, ProviderError> {
        Ok(SavedMethod {
            new_customer: None,
            payment_method: payment_method.to_owned(),
        })
    }

    fn charge(&self, request: &ChargeRequest<'_>) -> Result<ChargeOutcome, ProviderError> {
        Ok(
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
                    reference: None,
                },
                None => ChargeOutcome::Declined {
                    code: "payment_method_unknown".into(),
                    message: "No such payment method.".into(),
                    reference: None,
                },
            },
        )
    }

    fn read_webhook(
        &self,
        _signature: Option<&str>,
        _body: &[u8],
        _now: i64,
    ) -> Result<Option<Settlement>, WebhookError> {
        Err(WebhookError::NotConfigured)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn charge(pm: &str) -> ChargeOutcome {
        TestProvider
            .charge(&ChargeRequest {
                amount: 100,
                currency: "EUR",
                payment_method: pm,
                customer: None,
                description: "test",
                invoice_id: 1,
                idempotency_key: "inv_1_1".into(),
            })
            .expect("the test provider always answers")
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
