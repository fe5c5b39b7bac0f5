-- The accounts review: each system's user list as last imported (with the column mapping chosen
-- for it), the staff list, and the days without login after which an account is flagged (PostgreSQL types).
CREATE TABLE account_systems (
    org_id UUID NOT NULL REFERENCES organisations(id),
    system TEXT NOT NULL,
    mapping TEXT NOT NULL,
    accounts TEXT NOT NULL,
    imported_at TIMESTAMPTZ,
    imported_by TEXT NOT NULL,
    PRIMARY KEY (org_id, system)
);

CREATE TABLE staff_lists (
    org_id UUID PRIMARY KEY NOT NULL REFERENCES organisations(id),
    staff TEXT NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    imported_by TEXT NOT NULL
);

CREATE TABLE account_settings (
    org_id UUID PRIMARY KEY NOT NULL REFERENCES organisations(id),
    unused_days BIGINT NOT NULL
);
