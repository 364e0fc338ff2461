CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT    NOT NULL,
    password_hash TEXT,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'partner', 'customer')),
    status        TEXT    NOT NULL CHECK (status IN ('pending_activation', 'activated', 'locked')),
    first_name    TEXT    NOT NULL,
    last_name     TEXT    NOT NULL,
    company       TEXT,
    phone         TEXT,
    country       TEXT,
    partner_id    INTEGER REFERENCES accounts (id) ON DELETE RESTRICT,
    version       INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX accounts_email_key ON accounts (email);
CREATE INDEX accounts_role_created ON accounts (role, created_at, id);
CREATE INDEX accounts_partner_created ON accounts (partner_id, created_at, id);

CREATE TABLE refresh_tokens (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    family_id       TEXT    NOT NULL,
    token_hash      TEXT    NOT NULL,
    impersonator_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    expires_at      TEXT    NOT NULL,
    used_at         TEXT,
    revoked_at      TEXT,
    created_at      TEXT    NOT NULL
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    last_used_at TEXT,
    expires_at   TEXT,
    revoked_at   TEXT
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

-- One-time links sent by email (activation, set password).
CREATE TABLE one_time_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL,
    token_hash TEXT    NOT NULL,
    expires_at TEXT    NOT NULL,
    used_at    TEXT,
    created_at TEXT    NOT NULL
);
CREATE UNIQUE INDEX one_time_tokens_hash_key ON one_time_tokens (token_hash);

CREATE TABLE emails (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    to_address      TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT
);
CREATE INDEX emails_due ON emails (status, next_attempt_at);
CREATE INDEX emails_to ON emails (to_address);

-- Never deleted with the accounts it names: ids stay as plain numbers.
CREATE TABLE audit_events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    actor_id        INTEGER,
    actor_email     TEXT,
    actor_partner_id INTEGER,
    impersonator_id INTEGER,
    action          TEXT    NOT NULL,
    subject_type    TEXT    NOT NULL,
    subject_id      TEXT,
    ip              TEXT,
    created_at      TEXT    NOT NULL
);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);
CREATE INDEX audit_events_partner ON audit_events (actor_partner_id, id);
