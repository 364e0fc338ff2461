ALTER TABLE accounts DROP COLUMN coupon_max_percent_off;
