-- The column mapping an organisation chose for a table import (devices, a register, the contact
-- chart), so that the next file with the same columns is read without asking again (SQLite types).
CREATE TABLE import_mappings (
    org_id BLOB NOT NULL REFERENCES organisations(id),
    target TEXT NOT NULL,
    mapping TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    PRIMARY KEY (org_id, target)
);
