-- A payment provider that answers later (Stripe: a PaymentIntent still `processing`) leaves the
-- payment `pending` until its signed webhook settles it; the webhook finds the payment by the
-- provider's reference. Each account billed through a provider has a customer record there.
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check
    CHECK (status IN ('pending', 'succeeded', 'failed'));
ALTER TABLE payments ADD COLUMN settled_at TIMESTAMP;
CREATE INDEX payments_provider_reference ON payments (provider, provider_reference)
    WHERE provider_reference IS NOT NULL;

CREATE TABLE provider_customers (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    provider   TEXT   NOT NULL,
    reference  TEXT   NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (account_id, provider)
);
