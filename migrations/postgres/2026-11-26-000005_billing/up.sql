-- Billing: plans, coupons, one subscription per app, invoices (numbered gaplessly per calendar
-- year), payments, and the Idempotency-Key records of money-moving requests. Money is in integer
-- minor units of the row's currency. Subscriptions, invoices and payments outlive the app and the
-- account they were for: those references become NULL and the invoice keeps its own copy of the
-- billing details.

-- Billing details of the account an invoice is addressed to.
ALTER TABLE accounts ADD COLUMN billing_name TEXT;
ALTER TABLE accounts ADD COLUMN billing_address TEXT;
ALTER TABLE accounts ADD COLUMN vat_id TEXT;

CREATE TABLE plans (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             TEXT    NOT NULL,
    edition          TEXT    NOT NULL CHECK (edition IN ('basic', 'standard')),
    billing_interval TEXT    NOT NULL CHECK (billing_interval IN ('month', 'year')),
    price            BIGINT  NOT NULL CHECK (price >= 0),
    currency         TEXT    NOT NULL,
    trial_days       INTEGER NOT NULL DEFAULT 0 CHECK (trial_days >= 0),
    active           BOOLEAN NOT NULL DEFAULT TRUE,
    version          BIGINT  NOT NULL DEFAULT 1,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

CREATE TABLE coupons (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code               TEXT    NOT NULL,
    -- The code in lower case: codes are unique whatever their case.
    code_key           TEXT    NOT NULL,
    -- NULL: the installation's coupon (any customer); else a partner's, for its own customers.
    partner_id         BIGINT  REFERENCES accounts (id) ON DELETE CASCADE,
    percent_off        INTEGER CHECK (percent_off BETWEEN 1 AND 100),
    amount_off         BIGINT  CHECK (amount_off > 0),
    currency           TEXT,
    duration           TEXT    NOT NULL CHECK (duration IN ('once', 'repeating', 'forever')),
    duration_in_months INTEGER,
    redeem_by          TIMESTAMP,
    max_redemptions    INTEGER,
    times_redeemed     INTEGER NOT NULL DEFAULT 0,
    version            BIGINT  NOT NULL DEFAULT 1,
    created_at         TIMESTAMP NOT NULL,
    updated_at         TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX coupons_code_key ON coupons (code_key);
CREATE INDEX coupons_partner ON coupons (partner_id, id);

-- The plans a coupon is limited to (none: any plan).
CREATE TABLE coupon_plans (
    coupon_id BIGINT NOT NULL REFERENCES coupons (id) ON DELETE CASCADE,
    plan_id   BIGINT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    PRIMARY KEY (coupon_id, plan_id)
);

CREATE TABLE subscriptions (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id               BIGINT  REFERENCES apps (id) ON DELETE SET NULL,
    owner_id             BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    app_name             TEXT    NOT NULL,
    plan_id              BIGINT  NOT NULL REFERENCES plans (id),
    -- The plan that takes over at the next period, if a change was asked for.
    next_plan_id         BIGINT  REFERENCES plans (id),
    status               TEXT    NOT NULL CHECK (status IN ('incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled')),
    -- Periods run from this instant by whole intervals (a 31st stays the 31st when it can).
    billing_anchor       TIMESTAMP NOT NULL,
    current_period_start TIMESTAMP NOT NULL,
    current_period_end   TIMESTAMP NOT NULL,
    trial_end            TIMESTAMP,
    cancel_at_period_end BOOLEAN NOT NULL DEFAULT FALSE,
    canceled_at          TIMESTAMP,
    ended_at             TIMESTAMP,
    -- The saved payment method renewals charge (a provider's id, never a card number).
    payment_method       TEXT,
    -- The discount in force, copied from its coupon when applied.
    coupon_id            BIGINT  REFERENCES coupons (id) ON DELETE SET NULL,
    discount_code        TEXT,
    discount_percent_off INTEGER,
    discount_amount_off  BIGINT,
    discount_currency    TEXT,
    discount_duration    TEXT,
    discount_start       TIMESTAMP,
    -- Invoices of periods starting before this are discounted (NULL: no end yet).
    discount_end         TIMESTAMP,
    version              BIGINT  NOT NULL DEFAULT 1,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
-- One live subscription per app.
CREATE UNIQUE INDEX subscriptions_app_id_key ON subscriptions (app_id) WHERE status NOT IN ('canceled', 'incomplete_expired');
CREATE INDEX subscriptions_owner ON subscriptions (owner_id, created_at, id);
CREATE INDEX subscriptions_created ON subscriptions (created_at, id);
-- The renewal job walks these in order: periods that end (of running subscriptions), and unpaid
-- new subscriptions by age.
CREATE INDEX subscriptions_renewal ON subscriptions (current_period_end, id) WHERE status IN ('trialing', 'active');
CREATE INDEX subscriptions_unpaid ON subscriptions (created_at, id) WHERE status = 'incomplete';

CREATE TABLE invoices (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    subscription_id      BIGINT  NOT NULL REFERENCES subscriptions (id),
    app_id               BIGINT  REFERENCES apps (id) ON DELETE SET NULL,
    owner_id             BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    -- `YYYY-NNNNNN`, given at finalisation, gapless per calendar year.
    number               TEXT,
    status               TEXT    NOT NULL CHECK (status IN ('draft', 'open', 'paid', 'void', 'uncollectible')),
    currency             TEXT    NOT NULL,
    period_start         TIMESTAMP NOT NULL,
    period_end           TIMESTAMP NOT NULL,
    subtotal             BIGINT  NOT NULL,
    discount             BIGINT  NOT NULL,
    discount_code        TEXT,
    tax                  BIGINT  NOT NULL,
    total                BIGINT  NOT NULL CHECK (total >= 0),
    amount_paid          BIGINT  NOT NULL DEFAULT 0,
    reverse_charge       BOOLEAN NOT NULL,
    -- The buyer and the seller as they were when the invoice was issued.
    customer_name        TEXT    NOT NULL,
    customer_email       TEXT    NOT NULL,
    customer_address     TEXT,
    customer_country     TEXT,
    customer_vat_id      TEXT,
    seller_name          TEXT    NOT NULL,
    seller_address       TEXT    NOT NULL,
    seller_vat_id        TEXT,
    -- Collection: failed attempts so far and when the next one is due (dunning).
    attempt_count        INTEGER NOT NULL DEFAULT 0,
    next_payment_attempt TIMESTAMP,
    issued_at            TIMESTAMP,
    paid_at              TIMESTAMP,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX invoices_number_key ON invoices (number);
CREATE INDEX invoices_subscription ON invoices (subscription_id, id);
-- Dunning: open invoices by their next attempt.
CREATE INDEX invoices_collection ON invoices (next_payment_attempt, id) WHERE status = 'open';

CREATE TABLE invoice_lines (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id   BIGINT  NOT NULL REFERENCES invoices (id),
    description  TEXT    NOT NULL,
    quantity     BIGINT  NOT NULL,
    unit_price   BIGINT  NOT NULL,
    amount       BIGINT  NOT NULL,
    -- VAT rate in basis points (2000 = 20 %).
    vat_rate     INTEGER NOT NULL,
    period_start TIMESTAMP NOT NULL,
    period_end   TIMESTAMP NOT NULL
);
CREATE INDEX invoice_lines_invoice ON invoice_lines (invoice_id, id);

-- The last invoice number given in each calendar year. Finalising takes the next one in the
-- same transaction, so a number is used once and a rolled-back one is given again.
CREATE TABLE invoice_counters (
    year        INTEGER PRIMARY KEY,
    last_number BIGINT NOT NULL
);

CREATE TABLE payments (
    id                 BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    invoice_id         BIGINT  NOT NULL REFERENCES invoices (id),
    invoice_number     TEXT    NOT NULL,
    subscription_id    BIGINT  NOT NULL REFERENCES subscriptions (id),
    app_id             BIGINT  REFERENCES apps (id) ON DELETE SET NULL,
    app_name           TEXT    NOT NULL,
    owner_id           BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    amount             BIGINT  NOT NULL CHECK (amount >= 0),
    currency           TEXT    NOT NULL,
    status             TEXT    NOT NULL CHECK (status IN ('succeeded', 'failed')),
    payment_method     TEXT    NOT NULL,
    failure_code       TEXT,
    failure_message    TEXT,
    provider           TEXT    NOT NULL,
    provider_reference TEXT,
    created_at         TIMESTAMP NOT NULL
);
CREATE INDEX payments_created ON payments (created_at, id);
CREATE INDEX payments_owner ON payments (owner_id, created_at, id);
CREATE INDEX payments_app ON payments (app_id, created_at, id);
CREATE INDEX payments_subscription ON payments (subscription_id, created_at, id);

-- Idempotency-Key: the first answer to a key is kept and replayed to the same request.
CREATE TABLE idempotency_keys (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    idem_key        TEXT    NOT NULL,
    -- Hash of the method, path and body: the same key with another request is refused.
    request_hash    TEXT    NOT NULL,
    response_status INTEGER,
    response_body   TEXT,
    -- NULL while the first request is in flight.
    completed_at    TIMESTAMP,
    created_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX idempotency_keys_account_key ON idempotency_keys (account_id, idem_key);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
