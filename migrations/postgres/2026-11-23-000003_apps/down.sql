DROP TABLE mobile_users;
DROP TABLE events;
DROP TABLE devices;
DROP TABLE apps;
