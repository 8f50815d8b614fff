-- Portable to SQLite and PostgreSQL: only TEXT and BIGINT, ids assigned by
-- the application (UUIDv7 text), times in epoch milliseconds, booleans as
-- 0/1, binary data as base64 text.

CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Only a SHA-256 of the session id is kept, so a copy of the database does
-- not let anyone sign in.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_user_id ON sessions (user_id);

-- Secrets are AES-256-GCM ciphertexts (base64 of nonce || ciphertext) bound
-- to the row's kind and id; the fingerprint is what the console shows.
CREATE TABLE alibaba_accounts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    secret_ciphertext TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    signature TEXT NOT NULL,
    regions TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE dingtalk_apps (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    app_key TEXT NOT NULL,
    secret_ciphertext TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    site TEXT NOT NULL,
    api TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
