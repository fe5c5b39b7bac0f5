-- On-site inspections (立入検査) an authority records: when, by whom, the checklist submission
-- seen, findings by item, the guidance given and the follow-up due. When the institution has an
-- account here, `org_id` lets it read its record and report the follow-up done.
CREATE TABLE inspections (
    id BLOB PRIMARY KEY NOT NULL,
    authority_id BLOB NOT NULL REFERENCES organisations(id),
    institution_code TEXT NOT NULL,
    institution_name TEXT NOT NULL,
    org_id BLOB NULL REFERENCES organisations(id),
    submission_id BLOB NULL REFERENCES checklist_submissions(id),
    inspected_on TEXT NOT NULL,
    inspectors TEXT NOT NULL,
    findings TEXT NOT NULL,
    guidance TEXT NOT NULL,
    follow_up_due TEXT NULL,
    follow_up_done_on TEXT NULL,
    follow_up_note TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX inspections_authority ON inspections(authority_id, inspected_on);
CREATE INDEX inspections_org ON inspections(org_id);
