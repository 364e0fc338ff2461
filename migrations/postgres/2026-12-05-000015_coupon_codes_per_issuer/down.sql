DROP INDEX coupons_issuer_code_key;
CREATE UNIQUE INDEX coupons_code_key ON coupons (code_key);
