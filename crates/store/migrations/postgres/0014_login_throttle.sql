-- Lockouts end by themselves: an account waits until locked_until, growing with each failure,
-- instead of staying locked until an administrator lifts it. Accounts locked under the old rule
-- keep their failure count, so their next failure makes them wait again (PostgreSQL).
ALTER TABLE users ADD COLUMN locked_until TIMESTAMPTZ;
ALTER TABLE users DROP COLUMN locked;

-- Failed logins per client address in the current window, kept across restarts; refusals are
-- counted here and summed into one audit record per window.
CREATE TABLE login_throttle (
    address TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    failures BIGINT NOT NULL,
    refused BIGINT NOT NULL
);
