-- Files attached to register rows, e.g. a vendor's MDS/SDS; the bytes live in the uploads folder
-- under their SHA-256, like evidence (SQLite types).
CREATE TABLE register_files (
    id BLOB PRIMARY KEY NOT NULL,
    org_id BLOB NOT NULL REFERENCES organisations(id),
    register TEXT NOT NULL,
    row_id BLOB NOT NULL,
    filename TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL
);
CREATE INDEX register_files_row ON register_files(org_id, register, row_id);
