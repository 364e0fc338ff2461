ALTER TABLE accounts DROP COLUMN allow_log_in_as;
DROP TABLE sessions;
