-- Groups of organisations (共有グループ) that a hub's keeper names once and then grants
-- collections to and shares AMBER objects with: "the hospitals of the Kanto region", "full
-- members". Membership is read when an object is read, so a group's new member reaches what was
-- shared with the group before it joined, and a member that leaves no longer does.
CREATE TABLE sharing_groups (
    id BLOB PRIMARY KEY NOT NULL,
    org_id BLOB NOT NULL REFERENCES organisations(id),
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE sharing_group_members (
    group_id BLOB NOT NULL REFERENCES sharing_groups(id),
    org_id BLOB NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (group_id, org_id)
);
CREATE INDEX sharing_group_members_org ON sharing_group_members(org_id);

CREATE TABLE collection_group_grants (
    collection_id BLOB NOT NULL REFERENCES collections(id),
    group_id BLOB NOT NULL REFERENCES sharing_groups(id),
    can_read BOOLEAN NOT NULL,
    can_write BOOLEAN NOT NULL,
    PRIMARY KEY (collection_id, group_id)
);
CREATE INDEX collection_group_grants_group ON collection_group_grants(group_id);

CREATE TABLE stix_audience_groups (
    collection_id BLOB NOT NULL REFERENCES collections(id),
    object_id TEXT NOT NULL,
    group_id BLOB NOT NULL REFERENCES sharing_groups(id),
    PRIMARY KEY (collection_id, object_id, group_id)
);
