DROP TABLE analytics_pending;
