-- Which audit key was in force from which seq (issue 17), so that verify
-- trusts the key derived from the master key (which lies beside the
-- database) only where it really was the audit key: see
-- backend/src/audit/eras.rs. A console's start writes a row when its key
-- is not the one in force; `mac` is that key's signature over the row.
-- Portable to SQLite and PostgreSQL like 0001.
CREATE TABLE audit_key_eras (
    from_seq BIGINT PRIMARY KEY,
    key_id TEXT NOT NULL,
    mac TEXT NOT NULL
);
