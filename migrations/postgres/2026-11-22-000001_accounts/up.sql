CREATE TABLE accounts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email         TEXT    NOT NULL,
    password_hash TEXT,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'partner', 'customer')),
    status        TEXT    NOT NULL CHECK (status IN ('pending_activation', 'activated', 'locked')),
    first_name    TEXT    NOT NULL,
    last_name     TEXT    NOT NULL,
    company       TEXT,
    phone         TEXT,
    country       TEXT,
    partner_id    BIGINT REFERENCES accounts (id) ON DELETE RESTRICT,
    version       BIGINT NOT NULL DEFAULT 1,
    created_at    TIMESTAMP    NOT NULL,
    updated_at    TIMESTAMP    NOT NULL
);
CREATE UNIQUE INDEX accounts_email_key ON accounts (email);
CREATE INDEX accounts_role_created ON accounts (role, created_at, id);
CREATE INDEX accounts_partner_created ON accounts (partner_id, created_at, id);

CREATE TABLE refresh_tokens (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id      BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    family_id       TEXT    NOT NULL,
    token_hash      TEXT    NOT NULL,
    impersonator_id BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    expires_at      TIMESTAMP    NOT NULL,
    used_at         TIMESTAMP,
    revoked_at      TIMESTAMP,
    created_at      TIMESTAMP    NOT NULL
);
CREATE UNIQUE INDEX refresh_tokens_hash_key ON refresh_tokens (token_hash);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id);

CREATE TABLE api_tokens (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL,
    created_at   TIMESTAMP    NOT NULL,
    last_used_at TIMESTAMP,
    expires_at   TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE UNIQUE INDEX api_tokens_hash_key ON api_tokens (token_hash);
CREATE INDEX api_tokens_account ON api_tokens (account_id);

-- One-time links sent by email (activation, set password).
CREATE TABLE one_time_tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    purpose    TEXT    NOT NULL,
    token_hash TEXT    NOT NULL,
    expires_at TIMESTAMP    NOT NULL,
    used_at    TIMESTAMP,
    created_at TIMESTAMP    NOT NULL
);
CREATE UNIQUE INDEX one_time_tokens_hash_key ON one_time_tokens (token_hash);

CREATE TABLE emails (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    to_address      TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    next_attempt_at TIMESTAMP    NOT NULL,
    created_at      TIMESTAMP    NOT NULL,
    sent_at         TIMESTAMP
);
CREATE INDEX emails_due ON emails (status, next_attempt_at);
CREATE INDEX emails_to ON emails (to_address);

-- Never deleted with the accounts it names: ids stay as plain numbers.
CREATE TABLE audit_events (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id        BIGINT,
    actor_email     TEXT,
    actor_partner_id BIGINT,
    impersonator_id BIGINT,
    action          TEXT    NOT NULL,
    subject_type    TEXT    NOT NULL,
    subject_id      TEXT,
    ip              TEXT,
    created_at      TIMESTAMP    NOT NULL
);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);
CREATE INDEX audit_events_partner ON audit_events (actor_partner_id, id);
