DROP INDEX accounts_created;
ALTER TABLE refresh_tokens DROP COLUMN session_expires_at;
ALTER TABLE refresh_tokens DROP COLUMN read_only;
ALTER TABLE one_time_tokens DROP COLUMN read_only;
ALTER TABLE one_time_tokens DROP COLUMN actor_id;
