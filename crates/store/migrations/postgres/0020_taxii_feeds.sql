-- TAXII 2.1 feeds an organisation pulls into one of its collections: where from, with what
-- credential (sealed), how often, and where the last pull stopped (the remote's date_added, so the
-- next pull asks only for what is newer). Failures back off; every pull is recorded.
CREATE TABLE taxii_feeds (
    id UUID PRIMARY KEY NOT NULL,
    org_id UUID NOT NULL REFERENCES organisations(id),
    collection_id UUID NOT NULL REFERENCES collections(id),
    title TEXT NOT NULL,
    api_root_url TEXT NOT NULL,
    remote_collection TEXT NOT NULL,
    username TEXT NOT NULL,
    secret TEXT NOT NULL,
    interval_minutes BIGINT NOT NULL,
    added_after TEXT NULL,
    next_run_at TIMESTAMPTZ NOT NULL,
    failures BIGINT NOT NULL,
    last_error TEXT NOT NULL,
    last_run_at TIMESTAMPTZ NULL,
    imported_total BIGINT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX taxii_feeds_org ON taxii_feeds(org_id);
CREATE INDEX taxii_feeds_due ON taxii_feeds(next_run_at);

CREATE TABLE taxii_feed_runs (
    feed_id UUID NOT NULL REFERENCES taxii_feeds(id),
    started_at TIMESTAMPTZ NOT NULL,
    imported BIGINT NOT NULL,
    skipped BIGINT NOT NULL,
    error TEXT NOT NULL,
    PRIMARY KEY (feed_id, started_at)
);
