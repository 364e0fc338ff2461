-- Push messages: each app's provider credentials and sending rules, the messages, and one
-- delivery per message and device (claimed by the sender job with row locks).
CREATE TABLE push_settings (
    app_id                INTEGER PRIMARY KEY REFERENCES apps (id) ON DELETE CASCADE,
    -- Firebase Cloud Messaging: the service account's JSON, encrypted (AES-256-GCM); what is
    -- shown of it in the clear.
    fcm_credentials       TEXT,
    fcm_project_id        TEXT,
    fcm_client_email      TEXT,
    fcm_key_id            TEXT,
    -- Apple Push Notification service: the .p8 signing key, encrypted; its key id, team id,
    -- the app's bundle id (topic) and which APNs environment.
    apns_credentials      TEXT,
    apns_key_id           TEXT,
    apns_team_id          TEXT,
    apns_topic            TEXT,
    apns_environment      TEXT CHECK (apns_environment IN ('production', 'sandbox')),
    -- Quiet hours, in minutes after midnight in each device's own time zone.
    quiet_start           INTEGER,
    quiet_end             INTEGER,
    daily_cap             INTEGER,
    order_status_enabled  BOOLEAN NOT NULL DEFAULT 0,
    order_status_template TEXT,
    version               INTEGER NOT NULL DEFAULT 1,
    updated_at            TEXT NOT NULL
);

CREATE TABLE push_messages (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id       INTEGER  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    -- 'campaign' (composed in the back office) or 'order_status' (sent when an order moves).
    kind         TEXT    NOT NULL CHECK (kind IN ('campaign', 'order_status')),
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    deep_link    TEXT,
    image_url    TEXT,
    -- JSON object of string values.
    data         TEXT,
    -- JSON of the targeting rules; NULL for every device with push on.
    target       TEXT,
    status       TEXT    NOT NULL CHECK (status IN ('draft', 'scheduled', 'sending', 'sent', 'failed', 'canceled')),
    send_at      TEXT,
    -- 'HH:MM': delivered at this time of day in each device's own time zone.
    local_time   TEXT,
    -- The fan-out's progress: deliveries are made for devices with ids above this.
    fanout_after INTEGER,
    fanned_out   BOOLEAN NOT NULL DEFAULT 0,
    targeted     INTEGER NOT NULL DEFAULT 0,
    sent         INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    created_by   INTEGER REFERENCES accounts (id) ON DELETE SET NULL,
    started_at   TEXT,
    finished_at  TEXT,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
);
CREATE INDEX push_messages_app ON push_messages (app_id, created_at, id);
CREATE INDEX push_messages_due ON push_messages (send_at, id) WHERE status = 'scheduled';
CREATE INDEX push_messages_fanout ON push_messages (id) WHERE status = 'sending' AND fanned_out = 0;

CREATE TABLE push_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id      INTEGER  NOT NULL REFERENCES push_messages (id) ON DELETE CASCADE,
    device_id       INTEGER  NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'canceled')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    -- Why it failed (a stable code: 'unregistered', 'bad_token', 'daily_cap', …) and the detail.
    reason          TEXT,
    error           TEXT,
    sent_at         TEXT,
    created_at      TEXT NOT NULL
);
-- A device gets a message once.
CREATE UNIQUE INDEX push_deliveries_message_device_key ON push_deliveries (message_id, device_id);
CREATE INDEX push_deliveries_due ON push_deliveries (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX push_deliveries_device ON push_deliveries (device_id, sent_at);
-- Whether a message has deliveries left (it is done when none is).
CREATE INDEX push_deliveries_pending ON push_deliveries (message_id) WHERE status = 'pending';

-- The push token a provider called dead ('UNREGISTERED', 410…): the device is not targeted
-- again until the app registers another token.
ALTER TABLE devices ADD COLUMN dead_push_token TEXT;

-- Opens of a message (push_open events carry its id).
CREATE INDEX events_push_opens ON events (message_id, app_id, device_id) WHERE message_id IS NOT NULL;
