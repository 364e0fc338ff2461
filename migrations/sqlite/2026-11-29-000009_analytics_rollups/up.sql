-- Analytics rollups (see the PostgreSQL migration of the same name).
CREATE TABLE analytics_quarters (
    app_id     BIGINT  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    starts_at  TEXT    NOT NULL,
    sessions   BIGINT  NOT NULL,
    push_opens BIGINT  NOT NULL,
    ended      BIGINT  NOT NULL,
    duration   BIGINT  NOT NULL,
    installs   BIGINT  NOT NULL,
    PRIMARY KEY (app_id, starts_at)
) WITHOUT ROWID;
CREATE TABLE analytics_device_hours (
    app_id    BIGINT  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    starts_at TEXT    NOT NULL,
    devices   BLOB    NOT NULL,
    PRIMARY KEY (app_id, starts_at)
) WITHOUT ROWID;
CREATE TABLE analytics_pending (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id     BIGINT  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    starts_at  TEXT    NOT NULL,
    sessions   BIGINT  NOT NULL,
    push_opens BIGINT  NOT NULL,
    ended      BIGINT  NOT NULL,
    duration   BIGINT  NOT NULL,
    installs   BIGINT  NOT NULL,
    devices    BLOB
);
CREATE INDEX analytics_pending_app ON analytics_pending (app_id, starts_at);
