-- Registers kept as rows of typed fields (remote connections, vendors, backups, restore tests):
-- the fields as JSON, validated by the register's schema in the domain, with history (PostgreSQL types).
CREATE TABLE register_rows (
    id UUID PRIMARY KEY NOT NULL,
    org_id UUID NOT NULL REFERENCES organisations(id),
    register TEXT NOT NULL,
    name TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (org_id, register, name)
);

CREATE TABLE register_history (
    id UUID PRIMARY KEY NOT NULL,
    org_id UUID NOT NULL REFERENCES organisations(id),
    register TEXT NOT NULL,
    row_id UUID NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL
);
CREATE INDEX register_history_row ON register_history(org_id, register, row_id, at);
