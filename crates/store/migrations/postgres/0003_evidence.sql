-- Evidence files attached to checklist items; the bytes live in the uploads folder under their SHA-256 (PostgreSQL types).
CREATE TABLE evidence (
    id UUID PRIMARY KEY NOT NULL,
    org_id UUID NOT NULL REFERENCES organisations(id),
    assessment_id UUID NOT NULL REFERENCES assessments(id),
    item_id TEXT NOT NULL,
    filename TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX evidence_assessment ON evidence(org_id, assessment_id, item_id);
