-- Two-factor sign-in with a TOTP app (RFC 6238): the account's secret (base32), since when it is
-- confirmed (unconfirmed: enrolment started, not yet on), and the last time step a code was
-- accepted for (a code is never accepted twice).
CREATE TABLE two_factor (
    account_id   INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    totp_secret  TEXT    NOT NULL,
    confirmed_at TEXT,
    last_step    INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT    NOT NULL
);

-- Ten single-use recovery codes per account, stored hashed.
CREATE TABLE recovery_codes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    used_at    TEXT
);
CREATE INDEX recovery_codes_account ON recovery_codes (account_id);

-- The second step of a sign-in: a challenge (stored hashed) that lives 5 minutes and is used
-- once, refused after 5 wrong codes.
CREATE TABLE login_challenges (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id     INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    challenge_hash TEXT    NOT NULL,
    expires_at     TEXT    NOT NULL,
    used_at        TEXT,
    failures       INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX login_challenges_hash_key ON login_challenges (challenge_hash);
