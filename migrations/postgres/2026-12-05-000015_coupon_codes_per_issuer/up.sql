-- A coupon code is unique per issuer (the installation, or one partner), whatever its case:
-- one partner neither learns nor squats another's codes.
DROP INDEX coupons_code_key;
CREATE UNIQUE INDEX coupons_issuer_code_key ON coupons (COALESCE(partner_id, 0), code_key);
