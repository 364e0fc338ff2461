ALTER TABLE api_tokens DROP COLUMN app_ids;
