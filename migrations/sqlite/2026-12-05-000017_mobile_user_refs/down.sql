DROP INDEX mobile_users_sdk_ref_key;
ALTER TABLE mobile_users DROP COLUMN sdk_ref;
