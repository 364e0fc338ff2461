DROP TABLE publish_events;
DROP TABLE publish_requests;
DROP TABLE assets;
ALTER TABLE plans DROP COLUMN publish_in_trial;
