-- 注意喚起: alerts an organisation publishes to the members of a collection it keeps, with the
-- products they concern (JSON), and who in each member organisation acknowledged them.
CREATE TABLE alerts (
    id BLOB PRIMARY KEY NOT NULL,
    collection_id BLOB NOT NULL REFERENCES collections(id),
    org_id BLOB NOT NULL REFERENCES organisations(id),
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    actions TEXT NOT NULL,
    severity TEXT NOT NULL,
    affected TEXT NOT NULL,
    due_on TEXT NULL,
    published_at TEXT NOT NULL,
    published_by TEXT NOT NULL
);
CREATE INDEX alerts_collection ON alerts(collection_id, published_at);

CREATE TABLE alert_acks (
    alert_id BLOB NOT NULL REFERENCES alerts(id),
    org_id BLOB NOT NULL REFERENCES organisations(id),
    acknowledged_by TEXT NOT NULL,
    acknowledged_at TEXT NOT NULL,
    PRIMARY KEY (alert_id, org_id)
);
