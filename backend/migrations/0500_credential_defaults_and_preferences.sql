-- The default credential of each kind (issue 18): the one the console picks
-- first. The first one stored becomes it; at most one row is marked.
ALTER TABLE alibaba_accounts ADD COLUMN is_default BIGINT NOT NULL DEFAULT 0;
ALTER TABLE dingtalk_apps ADD COLUMN is_default BIGINT NOT NULL DEFAULT 0;
-- Credentials stored before: the oldest of each kind was the first stored.
UPDATE alibaba_accounts SET is_default = 1
    WHERE id = (SELECT id FROM alibaba_accounts ORDER BY created_at, id LIMIT 1);
UPDATE dingtalk_apps SET is_default = 1
    WHERE id = (SELECT id FROM dingtalk_apps ORDER BY created_at, id LIMIT 1);
CREATE UNIQUE INDEX alibaba_accounts_one_default ON alibaba_accounts (is_default)
    WHERE is_default = 1;
CREATE UNIQUE INDEX dingtalk_apps_one_default ON dingtalk_apps (is_default)
    WHERE is_default = 1;

-- Each user's last pick of each kind, ids only (nothing secret). Deleting a
-- credential forgets the picks of it; deleting a user, their picks.
CREATE TABLE credential_preferences (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    alibaba_account_id TEXT REFERENCES alibaba_accounts (id) ON DELETE SET NULL,
    dingtalk_app_id TEXT REFERENCES dingtalk_apps (id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL
);
