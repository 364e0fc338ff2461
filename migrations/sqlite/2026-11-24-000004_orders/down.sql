DROP TABLE order_events;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE quote_response_lines;
DROP TABLE quote_responses;
DROP TABLE quote_lines;
DROP TABLE quote_requests;
