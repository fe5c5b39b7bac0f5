-- Self-assessments against catalog sheets, and their answers per round (SQLite types).
CREATE TABLE assessments (
    id BLOB PRIMARY KEY NOT NULL,
    org_id BLOB NOT NULL REFERENCES organisations(id),
    fiscal_year BIGINT NOT NULL,
    sheet_id TEXT NOT NULL,
    title TEXT NOT NULL,
    maturity BIGINT,
    maturity_rationale TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX assessments_org ON assessments(org_id, fiscal_year);

CREATE TABLE assessment_answers (
    assessment_id BLOB NOT NULL REFERENCES assessments(id),
    item_id TEXT NOT NULL,
    round BIGINT NOT NULL,
    answer TEXT NOT NULL,
    checked_on TEXT NOT NULL,
    target_date TEXT,
    reason TEXT NOT NULL,
    assignee TEXT NOT NULL,
    notes TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (assessment_id, item_id, round)
);
