-- A plan may let apps in their trial submit publish requests (else only `active` ones may).
ALTER TABLE plans ADD COLUMN publish_in_trial BOOLEAN NOT NULL DEFAULT FALSE;

-- Publishing: uploaded store assets (content-addressed files; the rows say which app owns which),
-- publish requests per store with their review state, and each request's timeline.
CREATE TABLE assets (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id       BIGINT  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('icon', 'screenshot')),
    sha256       TEXT    NOT NULL,
    content_type TEXT    NOT NULL,
    size_bytes   BIGINT  NOT NULL CHECK (size_bytes > 0),
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    file_name    TEXT,
    created_at   TEXT NOT NULL
);
CREATE INDEX assets_app ON assets (app_id, id);

CREATE TABLE publish_requests (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id          BIGINT  NOT NULL REFERENCES apps (id) ON DELETE CASCADE,
    store           TEXT    NOT NULL CHECK (store IN ('app_store', 'google_play')),
    version_name    TEXT    NOT NULL,
    build_number    BIGINT  NOT NULL CHECK (build_number > 0),
    -- JSON: {"en-US": "…"} and the store listing.
    release_notes   TEXT    NOT NULL,
    listing         TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('draft', 'submitted', 'in_review', 'published', 'rejected', 'canceled')),
    revision        INTEGER NOT NULL DEFAULT 0,
    review_note     TEXT,
    submitted_at    TEXT,
    decided_at      TEXT,
    created_by      BIGINT  REFERENCES accounts (id) ON DELETE SET NULL,
    version         BIGINT  NOT NULL DEFAULT 1,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX publish_requests_app ON publish_requests (app_id, created_at, id);
CREATE INDEX publish_requests_created ON publish_requests (created_at, id);
-- The review queue and the alerts read requests waiting at the stores.
CREATE INDEX publish_requests_waiting ON publish_requests (submitted_at, id)
    WHERE status IN ('submitted', 'in_review');
-- One request waits per app and store, even when two are submitted at once.
CREATE UNIQUE INDEX publish_requests_one_waiting ON publish_requests (app_id, store)
    WHERE status IN ('submitted', 'in_review');

CREATE TABLE publish_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  BIGINT  NOT NULL REFERENCES publish_requests (id) ON DELETE CASCADE,
    status      TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    note        TEXT,
    actor_email TEXT,
    created_at  TEXT NOT NULL
);
CREATE INDEX publish_events_request ON publish_events (request_id, id);
