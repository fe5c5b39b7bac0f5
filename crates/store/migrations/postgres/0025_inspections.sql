-- On-site inspections (立入検査) an authority records: when, by whom, the checklist submission
-- seen, findings by item, the guidance given and the follow-up due. When the institution has an
-- account here, `org_id` lets it read its record and report the follow-up done.
CREATE TABLE inspections (
    id UUID PRIMARY KEY NOT NULL,
    authority_id UUID NOT NULL REFERENCES organisations(id),
    institution_code TEXT NOT NULL,
    institution_name TEXT NOT NULL,
    org_id UUID NULL REFERENCES organisations(id),
    submission_id UUID NULL REFERENCES checklist_submissions(id),
    inspected_on DATE NOT NULL,
    inspectors TEXT NOT NULL,
    findings TEXT NOT NULL,
    guidance TEXT NOT NULL,
    follow_up_due DATE NULL,
    follow_up_done_on DATE NULL,
    follow_up_note TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX inspections_authority ON inspections(authority_id, inspected_on);
CREATE INDEX inspections_org ON inspections(org_id);
