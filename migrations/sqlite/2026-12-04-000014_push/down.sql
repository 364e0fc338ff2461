DROP INDEX events_push_opens;
ALTER TABLE devices DROP COLUMN dead_push_token;
DROP TABLE push_deliveries;
DROP TABLE push_messages;
DROP TABLE push_settings;
