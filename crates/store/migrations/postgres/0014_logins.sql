-- Logins (PostgreSQL):
-- * an e-mail is unique within an organisation, not across all of them, so that inviting someone
--   tells an administrator nothing about accounts elsewhere;
-- * lockouts end by themselves: an account waits until locked_until instead of staying locked until
--   an administrator lifts it. Accounts locked under the old rule keep their failure count, so their
--   next failure makes them wait again.
-- Failed logins per client address in the current window are kept across restarts; refusals are
-- counted there and summed into one audit record per window.
ALTER TABLE users DROP CONSTRAINT users_email_key;
CREATE UNIQUE INDEX users_org_email ON users(org_id, email);
CREATE INDEX users_email ON users(email);
ALTER TABLE users DROP COLUMN locked;
ALTER TABLE users ADD COLUMN locked_until TIMESTAMPTZ;

CREATE TABLE login_throttle (
    address TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    failures BIGINT NOT NULL,
    refused BIGINT NOT NULL
);
