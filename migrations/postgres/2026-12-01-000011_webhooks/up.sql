-- Webhooks: the endpoints an account subscribes, the events, and one delivery per event and
-- endpoint (Standard Webhooks; retried on a schedule by the sender job).
CREATE TABLE webhook_endpoints (
    id                         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id                 BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    url                        TEXT    NOT NULL,
    description                TEXT,
    -- Space-separated event types; NULL for every type.
    event_types                TEXT,
    enabled                    BOOLEAN NOT NULL,
    -- Why the sender switched it off: 'gone' (410) or 'failing' (5 days of failures).
    disabled_reason            TEXT CHECK (disabled_reason IN ('gone', 'failing')),
    secret                     TEXT    NOT NULL,
    previous_secret            TEXT,
    previous_secret_expires_at TIMESTAMP,
    -- Since when every attempt failed (NULL after a success).
    failing_since              TIMESTAMP,
    version                    INTEGER NOT NULL DEFAULT 1,
    created_at                 TIMESTAMP    NOT NULL,
    updated_at                 TIMESTAMP    NOT NULL
);
CREATE INDEX webhook_endpoints_account ON webhook_endpoints (account_id, created_at, id);

CREATE TABLE webhook_events (
    id         TEXT PRIMARY KEY,
    event_type TEXT NOT NULL,
    -- The body sent, byte for byte (a retry sends the same body).
    payload    TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE webhook_deliveries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    endpoint_id     BIGINT  NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        TEXT    NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP    NOT NULL,
    last_attempt_at TIMESTAMP,
    response_status INTEGER,
    response_ms     INTEGER,
    error           TEXT,
    created_at      TIMESTAMP    NOT NULL
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status = 'pending';
