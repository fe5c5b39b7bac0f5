-- Incident response: anomaly reports and their triage, incidents with their facts (the duties are
-- derived from them), task status per catalog task, an append-only timeline, the status of each
-- duty, versioned document drafts, the contact chart and the recovery procedures (PostgreSQL types).
CREATE TABLE anomaly_reports (
    id UUID PRIMARY KEY NOT NULL,
    org_id UUID NOT NULL REFERENCES organisations(id),
    number BIGINT NOT NULL,
    what TEXT NOT NULL,
    place TEXT NOT NULL,
    device TEXT NOT NULL,
    noticed_at TIMESTAMPTZ NOT NULL,
    reported_at TIMESTAMPTZ NOT NULL,
    reported_by TEXT NOT NULL,
    status TEXT NOT NULL,
    resolution TEXT NOT NULL,
    incident_id UUID,
    merged_into UUID,
    triaged_at TIMESTAMPTZ,
    triaged_by TEXT,
    UNIQUE (org_id, number)
);
CREATE INDEX anomaly_reports_open ON anomaly_reports(org_id, status, reported_at);

CREATE TABLE incidents (
    id UUID PRIMARY KEY NOT NULL,
    org_id UUID NOT NULL REFERENCES organisations(id),
    number BIGINT NOT NULL,
    facts TEXT NOT NULL,
    phase TEXT NOT NULL,
    training BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    closed_at TIMESTAMPTZ,
    UNIQUE (org_id, number)
);
CREATE INDEX incidents_org ON incidents(org_id, closed_at, created_at);

CREATE TABLE incident_tasks (
    incident_id UUID NOT NULL REFERENCES incidents(id),
    task_id TEXT NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (incident_id, task_id)
);

CREATE TABLE incident_timeline (
    seq BIGINT NOT NULL,
    incident_id UUID NOT NULL REFERENCES incidents(id),
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (incident_id, seq)
);
-- Corrections are new entries: the timeline refuses changes and deletions.
CREATE FUNCTION incident_timeline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the incident timeline is append-only'; END; $$;
CREATE TRIGGER incident_timeline_no_change BEFORE UPDATE OR DELETE ON incident_timeline
FOR EACH ROW EXECUTE FUNCTION incident_timeline_append_only();

CREATE TABLE incident_duties (
    incident_id UUID NOT NULL REFERENCES incidents(id),
    duty TEXT NOT NULL,
    sent_on DATE NOT NULL,
    sent_to TEXT NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL,
    recorded_by TEXT NOT NULL,
    PRIMARY KEY (incident_id, duty)
);

CREATE TABLE incident_documents (
    incident_id UUID NOT NULL REFERENCES incidents(id),
    kind TEXT NOT NULL,
    version BIGINT NOT NULL,
    fields TEXT NOT NULL,
    saved_at TIMESTAMPTZ NOT NULL,
    saved_by TEXT NOT NULL,
    PRIMARY KEY (incident_id, kind, version)
);

CREATE TABLE contacts (
    id UUID PRIMARY KEY NOT NULL,
    org_id UUID NOT NULL REFERENCES organisations(id),
    grp TEXT NOT NULL,
    position BIGINT NOT NULL,
    role TEXT NOT NULL,
    name TEXT NOT NULL,
    organisation TEXT NOT NULL,
    system TEXT NOT NULL,
    phone TEXT NOT NULL,
    phone_24h TEXT NOT NULL,
    email TEXT NOT NULL,
    notes TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX contacts_org ON contacts(org_id, grp, position);

CREATE TABLE recovery_procedures (
    id UUID PRIMARY KEY NOT NULL,
    org_id UUID NOT NULL REFERENCES organisations(id),
    system TEXT NOT NULL,
    steps TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE INDEX recovery_procedures_org ON recovery_procedures(org_id, system);
