-- What an audit event is about, by the name people know it by at the time (the object may be
-- renamed or deleted later).
ALTER TABLE audit_events ADD COLUMN subject_name TEXT;
