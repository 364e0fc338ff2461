-- Every create honours Idempotency-Key: a replay answers the first answer's headers too (its
-- ETag and Location), kept as a JSON array of [name, value] pairs.
ALTER TABLE idempotency_keys ADD COLUMN response_headers TEXT;
