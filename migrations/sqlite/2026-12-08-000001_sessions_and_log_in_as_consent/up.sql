-- A session as its person sees it: the family of refresh tokens it is, the address and browser
-- it started from, and when it was last refreshed. Sessions that exist already get one (their
-- address and browser were not kept).
CREATE TABLE sessions (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    family_id       TEXT    NOT NULL,
    impersonator_id INTEGER,
    ip              TEXT,
    user_agent      TEXT,
    created_at      TEXT    NOT NULL,
    last_used_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX sessions_family_key ON sessions (family_id);
CREATE INDEX sessions_account ON sessions (account_id, created_at, id);
INSERT INTO sessions (account_id, family_id, impersonator_id, created_at, last_used_at)
SELECT account_id, family_id, MAX(impersonator_id), MIN(created_at), MAX(created_at)
FROM refresh_tokens
GROUP BY account_id, family_id;

-- Whether the account's partner (or an administrator) may "log in as" it: its owner decides.
ALTER TABLE accounts ADD COLUMN allow_log_in_as BOOLEAN NOT NULL DEFAULT TRUE;
