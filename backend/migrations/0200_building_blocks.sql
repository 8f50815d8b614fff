-- Answers of idempotent creates, replayed for a repeated Idempotency-Key
-- (see backend/src/idempotency.rs). `response` is NULL while the first
-- request is still running.
CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    response TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, scope, idem_key)
);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

-- Listing accounts must not decrypt secrets: whether an STS token is
-- stored is kept beside the ciphertext (NULL until backfilled at start).
ALTER TABLE alibaba_accounts ADD COLUMN has_sts_token BIGINT;

-- Credentials the console stored itself for its built-in sandbox.
ALTER TABLE alibaba_accounts ADD COLUMN sandbox BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dingtalk_apps ADD COLUMN sandbox BIGINT NOT NULL DEFAULT 0;

-- One-time facts about this installation (e.g. the sandbox credentials
-- were stored once, so deleting them keeps them deleted).
CREATE TABLE settings (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
