-- The audit trail: append-only, hash-chained events (see backend/src/audit).
-- Portable to SQLite and PostgreSQL like 0001.

-- The chain's head, one row: the last sequence number, its hash and time.
-- Every append updates it first in the appending transaction, which takes
-- the row lock on PostgreSQL (SQLite serialises writers anyway), so appends
-- are strictly one after another and the chain is linear.
CREATE TABLE audit_head (
    id BIGINT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    at BIGINT NOT NULL
);
INSERT INTO audit_head (id, seq, hash, at)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0);

-- `at` never decreases with `seq` (appends clamp it), so a time range is
-- also a seq range. `changes` is the JSON diff exactly as hashed.
CREATE TABLE audit_events (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id TEXT,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    source TEXT,
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT,
    target_label TEXT,
    changes TEXT NOT NULL,
    outcome TEXT NOT NULL,
    intent_seq BIGINT,
    request_id TEXT,
    error_code TEXT,
    error_message TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

-- One index per filter, each ending in seq: a filtered page, newest first,
-- is a short backwards range scan.
CREATE INDEX audit_events_at ON audit_events (at, seq);
CREATE INDEX audit_events_actor ON audit_events (actor, seq);
CREATE INDEX audit_events_action ON audit_events (action, seq);
CREATE INDEX audit_events_target_id ON audit_events (target_id, seq);
CREATE INDEX audit_events_target_label ON audit_events (target_label, seq);
CREATE INDEX audit_events_outcome ON audit_events (outcome, seq);
CREATE INDEX audit_events_intent ON audit_events (intent_seq) WHERE intent_seq IS NOT NULL;
