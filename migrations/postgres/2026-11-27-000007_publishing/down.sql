DROP TABLE publish_events;
DROP TABLE publish_requests;
DROP TABLE assets;
