-- TLP that holds: every object version carries the TLP level it was shared under (the strictest
-- of its markings, or the collection's default when it had none), the organisation and person who
-- shared it (and whether others may see who), and, for AMBER, AMBER+STRICT and RED, the
-- organisations or people it was shared with.
-- The submissions of TAXII envelopes are kept as status resources.
ALTER TABLE collections ADD COLUMN default_tlp TEXT NOT NULL DEFAULT 'amber';
-- The date_added of the collection's newest object: each new one is later, so that a client
-- continuing from the last date_added it saw misses nothing.
ALTER TABLE collections ADD COLUMN last_added_at TEXT NULL;
ALTER TABLE stix_objects ADD COLUMN tlp TEXT NOT NULL DEFAULT 'amber';
-- A member may share without its name shown to other members; the keeper still sees it.
ALTER TABLE stix_objects ADD COLUMN anonymous BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE stix_objects ADD COLUMN added_by_user BLOB NULL REFERENCES users(id);

CREATE TABLE stix_audience_orgs (
    collection_id BLOB NOT NULL REFERENCES collections(id),
    object_id TEXT NOT NULL,
    org_id BLOB NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (collection_id, object_id, org_id)
);

CREATE TABLE stix_audience_users (
    collection_id BLOB NOT NULL REFERENCES collections(id),
    object_id TEXT NOT NULL,
    user_id BLOB NOT NULL REFERENCES users(id),
    PRIMARY KEY (collection_id, object_id, user_id)
);

CREATE TABLE taxii_statuses (
    id BLOB PRIMARY KEY NOT NULL,
    org_id BLOB NOT NULL REFERENCES organisations(id),
    collection_id BLOB NOT NULL REFERENCES collections(id),
    request_timestamp TEXT NOT NULL,
    total_count BIGINT NOT NULL,
    successes TEXT NOT NULL,
    failures TEXT NOT NULL
);
CREATE INDEX taxii_statuses_org ON taxii_statuses(org_id);
