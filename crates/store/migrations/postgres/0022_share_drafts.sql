-- Sharing from an incident: a draft of exactly the STIX objects to be shared (made once, shown
-- as they will be sent), approved and published by a second person of the institution.
CREATE TABLE share_drafts (
    id UUID PRIMARY KEY NOT NULL,
    org_id UUID NOT NULL REFERENCES organisations(id),
    incident_id UUID NULL,
    collection_id UUID NOT NULL REFERENCES collections(id),
    title TEXT NOT NULL,
    tlp TEXT NOT NULL,
    anonymous BOOLEAN NOT NULL,
    objects TEXT NOT NULL,
    flagged TEXT NOT NULL,
    status TEXT NOT NULL,
    created_by_user UUID NOT NULL REFERENCES users(id),
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    approved_by TEXT NULL,
    approved_at TIMESTAMPTZ NULL
);
CREATE INDEX share_drafts_org ON share_drafts(org_id, created_at);
