-- Orders and quote requests of Standard apps: what the mobile app reports through the SDK, and
-- what the owner does with it. Money is in integer minor units of the row's currency.
CREATE TABLE quote_requests (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id         BIGINT  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    status         TEXT    NOT NULL CHECK (status IN ('new', 'quoted', 'accepted', 'declined', 'expired')),
    message        TEXT,
    contact_name   TEXT    NOT NULL,
    contact_email  TEXT    NOT NULL,
    contact_phone  TEXT,
    mobile_user_id BIGINT  REFERENCES mobile_users (id) ON DELETE SET NULL,
    -- The offer in force (the latest response) holds until then.
    valid_until    TEXT,
    version        BIGINT  NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
-- The inbox, newest first (keyset), and its counts per status.
CREATE INDEX quote_requests_app ON quote_requests (app_id, created_at, id);
CREATE INDEX quote_requests_app_status ON quote_requests (app_id, status);
-- The expiry job: offers whose time has passed.
CREATE INDEX quote_requests_expiry ON quote_requests (status, valid_until);

CREATE TABLE quote_lines (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    quote_id BIGINT  NOT NULL REFERENCES quote_requests (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    sku      TEXT    NOT NULL,
    name     TEXT    NOT NULL,
    quantity BIGINT  NOT NULL CHECK (quantity > 0)
);
CREATE UNIQUE INDEX quote_lines_sku_key ON quote_lines (quote_id, sku);

CREATE TABLE quote_responses (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    quote_id        BIGINT  NOT NULL REFERENCES quote_requests (id) ON DELETE CASCADE,
    currency        TEXT    NOT NULL,
    total           BIGINT  NOT NULL CHECK (total >= 0),
    message         TEXT,
    valid_until     TEXT NOT NULL,
    responder_id    BIGINT,
    responder_email TEXT,
    created_at      TEXT NOT NULL
);
CREATE INDEX quote_responses_quote ON quote_responses (quote_id, id);

CREATE TABLE quote_response_lines (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    response_id BIGINT  NOT NULL REFERENCES quote_responses (id) ON DELETE CASCADE,
    sku         TEXT    NOT NULL,
    unit_price  BIGINT  NOT NULL CHECK (unit_price >= 0)
);
CREATE INDEX quote_response_lines_response ON quote_response_lines (response_id, id);

CREATE TABLE orders (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id          BIGINT  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    order_number    TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'processing', 'shipped', 'completed', 'canceled', 'refunded')),
    currency        TEXT    NOT NULL,
    placed_at       TEXT NOT NULL,
    subtotal        BIGINT  NOT NULL,
    shipping        BIGINT  NOT NULL,
    tax             BIGINT  NOT NULL,
    discount        BIGINT  NOT NULL,
    total           BIGINT  NOT NULL CHECK (total >= 0),
    refunded_amount BIGINT  NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0 AND refunded_amount <= total),
    line_count      BIGINT  NOT NULL,
    mobile_user_id  BIGINT  REFERENCES mobile_users (id) ON DELETE SET NULL,
    -- The buyer as they were when the order was placed.
    buyer_email     TEXT,
    buyer_name      TEXT,
    guest           BOOLEAN NOT NULL,
    installation_id TEXT,
    device_id       BIGINT  REFERENCES devices (id) ON DELETE SET NULL,
    quote_id        BIGINT  REFERENCES quote_requests (id) ON DELETE SET NULL,
    -- What the app sent, hashed: the same order sent again is recognised as such.
    content_hash    TEXT    NOT NULL,
    version         BIGINT  NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX orders_app_id_order_number_key ON orders (app_id, order_number);
-- The list, newest placed first (keyset), and the analytics of a range.
CREATE INDEX orders_app_placed ON orders (app_id, placed_at, id);
-- A quote is taken up by one order at most.
CREATE UNIQUE INDEX orders_quote_id_key ON orders (quote_id) WHERE quote_id IS NOT NULL;

CREATE TABLE order_lines (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id   BIGINT  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    sku        TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    quantity   BIGINT  NOT NULL CHECK (quantity > 0),
    unit_price BIGINT  NOT NULL CHECK (unit_price >= 0)
);
CREATE INDEX order_lines_order ON order_lines (order_id, position);

-- The trace: every status an order took, by whom.
CREATE TABLE order_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id        BIGINT  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'processing', 'shipped', 'completed', 'canceled', 'refunded')),
    -- NULL: the mobile app.
    actor_id        BIGINT,
    actor_email     TEXT,
    impersonator_id BIGINT,
    note            TEXT,
    refunded_amount BIGINT,
    created_at      TEXT NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);
