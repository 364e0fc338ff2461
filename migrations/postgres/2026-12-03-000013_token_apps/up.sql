-- A personal API token may be limited to some apps (a JSON array of their ids); NULL: every app
-- the account reaches.
ALTER TABLE api_tokens ADD COLUMN app_ids TEXT;
