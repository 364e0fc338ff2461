-- The most a partner's coupons may take off, in percent, as an administrator set it for that
-- partner; NULL: the installation's PARTNER_COUPON_MAX_PERCENT_OFF.
ALTER TABLE accounts ADD COLUMN coupon_max_percent_off INTEGER
    CHECK (coupon_max_percent_off BETWEEN 0 AND 100);
