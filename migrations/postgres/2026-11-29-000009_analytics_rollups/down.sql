DROP TABLE analytics_device_hours;
DROP TABLE analytics_quarters;
