-- Analytics rollups, so that reading a range costs the same at a thousand events as at ten million.
-- The transactions that store events and register devices add what they stored to
-- `analytics_pending` (inserts only: concurrent intakes never wait for one another); a job in
-- every server folds those rows into the rollups within seconds, and analytics reads both.
-- What an app's events and installs add up to in each quarter of an hour (UTC): every local day
-- of every time zone in use begins on a quarter hour, so its figures are sums of these rows.
CREATE TABLE analytics_quarters (
    app_id     BIGINT    NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    starts_at  TIMESTAMP NOT NULL,
    sessions   BIGINT    NOT NULL,
    push_opens BIGINT    NOT NULL,
    ended      BIGINT    NOT NULL,
    duration   BIGINT    NOT NULL,
    installs   BIGINT    NOT NULL,
    PRIMARY KEY (app_id, starts_at)
);
-- Which devices were active in each hour (UTC), as a distinct-count sketch (`api::sketch`): the
-- device ids themselves while few, a HyperLogLog beyond. Sketches merge, counts do not.
CREATE TABLE analytics_device_hours (
    app_id    BIGINT    NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    starts_at TIMESTAMP NOT NULL,
    devices   BYTEA     NOT NULL,
    PRIMARY KEY (app_id, starts_at)
);
-- A sketch is at most 2 KB and barely compresses: keep it in the row, uncompressed.
ALTER TABLE analytics_device_hours ALTER COLUMN devices SET STORAGE PLAIN;

-- What stored events and installs add, one row per app and quarter hour of a stored batch, until
-- the fold job moves it into the two tables above (claimed with FOR UPDATE SKIP LOCKED, so several
-- servers never fold a row twice).
CREATE TABLE analytics_pending (
    id         BIGINT    GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id     BIGINT    NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    starts_at  TIMESTAMP NOT NULL,
    sessions   BIGINT    NOT NULL,
    push_opens BIGINT    NOT NULL,
    ended      BIGINT    NOT NULL,
    duration   BIGINT    NOT NULL,
    installs   BIGINT    NOT NULL,
    -- The sketch of the devices active in the quarter (NULL: installs only).
    devices    BYTEA
);
CREATE INDEX analytics_pending_app ON analytics_pending (app_id, starts_at);
