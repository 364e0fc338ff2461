DROP TABLE provider_customers;
DROP INDEX payments_provider_reference;
ALTER TABLE payments DROP COLUMN settled_at;
DELETE FROM payments WHERE status = 'pending';
ALTER TABLE payments DROP CONSTRAINT payments_status_check;
ALTER TABLE payments ADD CONSTRAINT payments_status_check
    CHECK (status IN ('succeeded', 'failed'));
