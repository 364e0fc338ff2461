-- A payment provider that answers later (Stripe: a PaymentIntent still `processing`) leaves the
-- payment `pending` until its signed webhook settles it; the webhook finds the payment by the
-- provider's reference. Each account billed through a provider has a customer record there.
-- SQLite cannot change a CHECK constraint: the payments table is rebuilt.
CREATE TABLE payments_new (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    invoice_id         BIGINT  NOT NULL REFERENCES invoices (id),
    invoice_number     TEXT    NOT NULL,
    subscription_id    BIGINT  NOT NULL REFERENCES subscriptions (id),
    app_id             BIGINT  REFERENCES apps (id) ON DELETE SET NULL,
    app_name           TEXT    NOT NULL,
    owner_id           BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    amount             BIGINT  NOT NULL CHECK (amount >= 0),
    currency           TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    payment_method     TEXT    NOT NULL,
    failure_code       TEXT,
    failure_message    TEXT,
    provider           TEXT    NOT NULL,
    provider_reference TEXT,
    created_at         TEXT NOT NULL,
    settled_at         TEXT
);
INSERT INTO payments_new (id, invoice_id, invoice_number, subscription_id, app_id, app_name, owner_id, amount, currency, status, payment_method, failure_code, failure_message, provider, provider_reference, created_at)
    SELECT id, invoice_id, invoice_number, subscription_id, app_id, app_name, owner_id, amount, currency, status, payment_method, failure_code, failure_message, provider, provider_reference, created_at FROM payments;
DROP TABLE payments;
ALTER TABLE payments_new RENAME TO payments;
CREATE INDEX payments_created ON payments (created_at, id);
CREATE INDEX payments_owner ON payments (owner_id, created_at, id);
CREATE INDEX payments_app ON payments (app_id, created_at, id);
CREATE INDEX payments_subscription ON payments (subscription_id, created_at, id);

CREATE INDEX payments_provider_reference ON payments (provider, provider_reference)
    WHERE provider_reference IS NOT NULL;

CREATE TABLE provider_customers (
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    provider   TEXT   NOT NULL,
    reference  TEXT   NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (account_id, provider)
);
