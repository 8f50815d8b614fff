-- Chat configurations (issue 10): what chatdesk keeps beside OOS, keyed by
-- account, region and configuration name (a name is unique per region).
-- Portable to SQLite and PostgreSQL like 0001.

-- Console labels: OOS has no tags for chat configurations.
CREATE TABLE chat_config_labels (
    account_id TEXT NOT NULL REFERENCES alibaba_accounts (id) ON DELETE CASCADE,
    region_id TEXT NOT NULL,
    name TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, region_id, name, label)
);
CREATE INDEX chat_config_labels_label ON chat_config_labels (label);

-- The write-only secrets of the Configuration that chatdesk was given,
-- sealed like the vault (AES-256-GCM under the master key, bound to
-- account/region/name/key), re-sent whenever the Configuration changes.
-- A configuration without rows here was created outside chatdesk.
CREATE TABLE chat_config_secrets (
    account_id TEXT NOT NULL REFERENCES alibaba_accounts (id) ON DELETE CASCADE,
    region_id TEXT NOT NULL,
    name TEXT NOT NULL,
    config_key TEXT NOT NULL,
    secret_ciphertext TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, region_id, name, config_key)
);
