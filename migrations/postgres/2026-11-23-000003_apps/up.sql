-- Apps, the devices they are installed on, what those devices report, and (standalone apps only)
-- the app's own mobile users.
CREATE TABLE apps (
    id                   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    owner_id             BIGINT  NOT NULL REFERENCES accounts (id) ON DELETE RESTRICT,
    name                 TEXT    NOT NULL,
    kind                 TEXT    NOT NULL CHECK (kind IN ('magento', 'standalone')),
    edition              TEXT    NOT NULL CHECK (edition IN ('basic', 'standard')),
    store_url            TEXT,
    icon_url             TEXT,
    ios_bundle_id        TEXT,
    android_package_name TEXT,
    app_key              TEXT    NOT NULL,
    version              BIGINT  NOT NULL DEFAULT 1,
    created_at           TIMESTAMP NOT NULL,
    updated_at           TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX apps_app_key_key ON apps (app_key);
CREATE INDEX apps_owner ON apps (owner_id, created_at, id);

CREATE TABLE devices (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id          BIGINT  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    installation_id TEXT    NOT NULL,
    platform        TEXT    NOT NULL CHECK (platform IN ('ios', 'android')),
    model           TEXT    NOT NULL,
    os_version      TEXT    NOT NULL,
    app_version     TEXT    NOT NULL,
    locale          TEXT,
    timezone        TEXT,
    push_token      TEXT,
    push_enabled    BOOLEAN NOT NULL,
    first_seen_at   TIMESTAMP NOT NULL,
    last_seen_at    TIMESTAMP NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    updated_at      TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX devices_installation_key ON devices (app_id, installation_id);
-- Keyset pages (newest first) and the installs of a range.
CREATE INDEX devices_app_id ON devices (app_id, id);
CREATE INDEX devices_app_first_seen ON devices (app_id, first_seen_at);

CREATE TABLE events (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id        BIGINT  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    device_id     BIGINT  NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('session_start', 'session_end', 'push_open')),
    occurred_at   TIMESTAMP NOT NULL,
    duration_secs INTEGER,
    message_id    TEXT,
    client_id     TEXT,
    created_at    TIMESTAMP NOT NULL
);
-- Covers the analytics aggregate: a range of one app's events is read from the index alone.
CREATE INDEX events_app_time ON events (app_id, occurred_at, kind, device_id, duration_secs);
-- Finds whether a device was active in a range (analytics totals); serves the device FK too.
CREATE INDEX events_device_time ON events (device_id, occurred_at);
-- An event the app sends again (same id from the same installation) is skipped.
CREATE UNIQUE INDEX events_client_id ON events (device_id, client_id) WHERE client_id IS NOT NULL;

CREATE TABLE mobile_users (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id     BIGINT  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    email      TEXT    NOT NULL,
    first_name TEXT    NOT NULL,
    last_name  TEXT    NOT NULL,
    phone      TEXT,
    status     TEXT    NOT NULL CHECK (status IN ('active', 'blocked')),
    version    BIGINT  NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX mobile_users_email_key ON mobile_users (app_id, email);
CREATE INDEX mobile_users_app_id ON mobile_users (app_id, id);
