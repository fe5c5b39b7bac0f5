-- no-transaction
-- Logins (SQLite). The users table is rebuilt, SQLite's way of dropping a column constraint, with the
-- foreign keys of the tables that refer to it left alone while it is (hence no outer transaction):
-- * an e-mail is unique within an organisation, not across all of them, so that inviting someone
--   tells an administrator nothing about accounts elsewhere;
-- * lockouts end by themselves: an account waits until locked_until instead of staying locked until
--   an administrator lifts it. Accounts locked under the old rule keep their failure count, so their
--   next failure makes them wait again.
-- Failed logins per client address in the current window are kept across restarts; refusals are
-- counted there and summed into one audit record per window.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;
CREATE TABLE users_rebuilt (
    id BLOB PRIMARY KEY NOT NULL,
    org_id BLOB NOT NULL REFERENCES organisations(id),
    email TEXT NOT NULL,
    display_name TEXT NOT NULL,
    roles TEXT NOT NULL,
    password_hash TEXT,
    must_change_password BOOLEAN NOT NULL,
    password_changed_at TEXT,
    disabled BOOLEAN NOT NULL,
    failed_logins BIGINT NOT NULL,
    totp_secret TEXT,
    totp_enabled BOOLEAN NOT NULL,
    totp_last_step BIGINT NOT NULL,
    lang TEXT,
    created_at TEXT NOT NULL,
    last_login_at TEXT,
    locked_until TEXT
);
INSERT INTO users_rebuilt (id, org_id, email, display_name, roles, password_hash, must_change_password,
    password_changed_at, disabled, failed_logins, totp_secret, totp_enabled, totp_last_step, lang,
    created_at, last_login_at, locked_until)
SELECT id, org_id, email, display_name, roles, password_hash, must_change_password,
    password_changed_at, disabled, failed_logins, totp_secret, totp_enabled, totp_last_step, lang,
    created_at, last_login_at, NULL
FROM users;
DROP TABLE users;
ALTER TABLE users_rebuilt RENAME TO users;
CREATE INDEX users_org ON users(org_id);
CREATE UNIQUE INDEX users_org_email ON users(org_id, email);
CREATE INDEX users_email ON users(email);

CREATE TABLE login_throttle (
    address TEXT PRIMARY KEY,
    window_start TEXT NOT NULL,
    failures BIGINT NOT NULL,
    refused BIGINT NOT NULL
);
COMMIT;
PRAGMA foreign_keys = ON;
