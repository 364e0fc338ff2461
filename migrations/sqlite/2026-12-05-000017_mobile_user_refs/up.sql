-- The handle an app gets for its user from `POST sdk/mobile-users`: random, so that it tells
-- nothing (not when the user signed up, not whether the email was new). Existing users get one.
ALTER TABLE mobile_users ADD COLUMN sdk_ref TEXT;
UPDATE mobile_users SET sdk_ref = 'mu_' || lower(hex(randomblob(16)));
CREATE UNIQUE INDEX mobile_users_sdk_ref_key ON mobile_users (sdk_ref);
