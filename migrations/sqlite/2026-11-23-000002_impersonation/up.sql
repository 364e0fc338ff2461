-- "Log in as": who asked for a one-time code, whether the session may write, and how long an
-- impersonated session may last (never refreshed past it).
ALTER TABLE one_time_tokens ADD COLUMN actor_id INTEGER REFERENCES accounts (id) ON DELETE CASCADE;
ALTER TABLE one_time_tokens ADD COLUMN read_only BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE refresh_tokens ADD COLUMN read_only BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE refresh_tokens ADD COLUMN session_expires_at TEXT;
CREATE INDEX accounts_created ON accounts (created_at, id);
