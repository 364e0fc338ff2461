DROP TABLE audit_events;
DROP TABLE emails;
DROP TABLE one_time_tokens;
DROP TABLE api_tokens;
DROP TABLE refresh_tokens;
DROP TABLE accounts;
