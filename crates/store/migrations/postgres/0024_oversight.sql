-- Oversight: an authority's jurisdiction (a prefecture, municipalities of one, or the nation),
-- the roster of institutions it oversees, and the checklists institutions submit to it. A
-- submission is a frozen snapshot with its SHA-256 digest; a later change is a new version and
-- never alters one submitted. `prefecture` and `municipality` place each submission, so that
-- reading by jurisdiction is one predicate.
CREATE TABLE jurisdictions (
    org_id UUID PRIMARY KEY NOT NULL REFERENCES organisations(id),
    scope TEXT NOT NULL,
    prefecture TEXT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE jurisdiction_municipalities (
    org_id UUID NOT NULL REFERENCES jurisdictions(org_id),
    municipality TEXT NOT NULL,
    PRIMARY KEY (org_id, municipality)
);

CREATE TABLE roster_entries (
    authority_id UUID NOT NULL REFERENCES organisations(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    institution_type TEXT NOT NULL,
    beds BIGINT NULL,
    prefecture TEXT NOT NULL,
    municipality TEXT NOT NULL,
    email TEXT NOT NULL,
    PRIMARY KEY (authority_id, code)
);

CREATE TABLE checklist_submissions (
    id UUID PRIMARY KEY NOT NULL,
    org_id UUID NOT NULL REFERENCES organisations(id),
    authority_id UUID NOT NULL REFERENCES organisations(id),
    fiscal_year BIGINT NOT NULL,
    version BIGINT NOT NULL,
    institution_code TEXT NOT NULL,
    prefecture TEXT NOT NULL,
    municipality TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    digest TEXT NOT NULL,
    submitted_at TIMESTAMPTZ NOT NULL,
    submitted_by TEXT NOT NULL,
    UNIQUE (org_id, authority_id, fiscal_year, version)
);
CREATE INDEX checklist_submissions_authority ON checklist_submissions(authority_id, fiscal_year);
CREATE INDEX checklist_submissions_place ON checklist_submissions(prefecture, municipality, fiscal_year);
