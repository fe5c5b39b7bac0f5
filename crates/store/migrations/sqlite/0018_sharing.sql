-- The sharing hub's storage (SQLite types): collections of STIX objects an organisation keeps,
-- who else may read or write each, and the objects themselves, every version kept. `seq` orders a
-- collection's objects as they were added, so that a page continues after the last one it gave
-- (keyset paging), whatever the collection's size.
CREATE TABLE collections (
    id BLOB PRIMARY KEY NOT NULL,
    org_id BLOB NOT NULL REFERENCES organisations(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    next_seq BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX collections_org ON collections(org_id);

CREATE TABLE collection_grants (
    collection_id BLOB NOT NULL REFERENCES collections(id),
    org_id BLOB NOT NULL REFERENCES organisations(id),
    can_read BOOLEAN NOT NULL,
    can_write BOOLEAN NOT NULL,
    PRIMARY KEY (collection_id, org_id)
);
CREATE INDEX collection_grants_org ON collection_grants(org_id);

CREATE TABLE stix_objects (
    collection_id BLOB NOT NULL REFERENCES collections(id),
    seq BIGINT NOT NULL,
    object_id TEXT NOT NULL,
    object_type TEXT NOT NULL,
    version TEXT NOT NULL,
    spec_version TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by_org BLOB NOT NULL REFERENCES organisations(id),
    body TEXT NOT NULL,
    PRIMARY KEY (collection_id, seq),
    UNIQUE (collection_id, object_id, version)
);
