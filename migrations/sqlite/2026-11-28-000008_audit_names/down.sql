ALTER TABLE audit_events DROP COLUMN subject_name;
