-- Registers: the device ledger with its history and reviews, and the vulnerability data an
-- organisation imported with its decisions on findings (PostgreSQL types).
CREATE TABLE devices (
    id UUID PRIMARY KEY NOT NULL,
    org_id UUID NOT NULL REFERENCES organisations(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    location TEXT NOT NULL,
    owner TEXT NOT NULL,
    system TEXT NOT NULL,
    vendor TEXT NOT NULL,
    product TEXT NOT NULL,
    version TEXT NOT NULL,
    internet_facing BOOLEAN NOT NULL,
    support_end DATE,
    last_patch DATE,
    cpe TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE device_history (
    id UUID PRIMARY KEY NOT NULL,
    org_id UUID NOT NULL REFERENCES organisations(id),
    device_id UUID NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL
);
CREATE INDEX device_history_device ON device_history(org_id, device_id, at);

CREATE TABLE register_reviews (
    id UUID PRIMARY KEY NOT NULL,
    org_id UUID NOT NULL REFERENCES organisations(id),
    register TEXT NOT NULL,
    reviewed_on DATE NOT NULL,
    reviewed_by TEXT NOT NULL,
    note TEXT NOT NULL
);
CREATE INDEX register_reviews_org ON register_reviews(org_id, register, reviewed_on);

CREATE TABLE vulnerabilities (
    org_id UUID NOT NULL REFERENCES organisations(id),
    cve TEXT NOT NULL,
    record TEXT NOT NULL,
    kev BOOLEAN NOT NULL,
    imported_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, cve)
);

CREATE TABLE finding_decisions (
    org_id UUID NOT NULL REFERENCES organisations(id),
    device_id UUID NOT NULL,
    cve TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    patched_on DATE,
    decided_at TIMESTAMPTZ NOT NULL,
    decided_by TEXT NOT NULL,
    PRIMARY KEY (org_id, device_id, cve)
);
