-- DingTalk groups (issue 12): chatdesk's own catalogue, since DingTalk cannot
-- list an organization's groups, and the values DingTalk cannot read back.
-- Portable to SQLite and PostgreSQL like 0001.

-- One row per group per DingTalk app: created through the console, imported
-- by chatid, or seeded from the sandbox's demo groups. What DingTalk said at
-- the last read (`refreshed_at`); `dismissed` is status 2.
CREATE TABLE dingtalk_groups (
    id TEXT PRIMARY KEY,
    app_id TEXT NOT NULL REFERENCES dingtalk_apps (id) ON DELETE CASCADE,
    chat_id TEXT NOT NULL,
    open_conversation_id TEXT,
    name TEXT NOT NULL,
    owner TEXT,
    owner_name TEXT,
    member_count BIGINT NOT NULL,
    dismissed BIGINT NOT NULL DEFAULT 0,
    source TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    refreshed_at BIGINT NOT NULL,
    UNIQUE (app_id, chat_id)
);
CREATE INDEX dingtalk_groups_name ON dingtalk_groups (name, id);

-- Console labels (e.g. a department).
CREATE TABLE dingtalk_group_labels (
    group_id TEXT NOT NULL REFERENCES dingtalk_groups (id) ON DELETE CASCADE,
    label TEXT NOT NULL,
    PRIMARY KEY (group_id, label)
);
CREATE INDEX dingtalk_group_labels_label ON dingtalk_group_labels (label);

-- Members as last read, with their names, so the catalogue finds a group by
-- a member's name without asking DingTalk.
CREATE TABLE dingtalk_group_members (
    group_id TEXT NOT NULL REFERENCES dingtalk_groups (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    name TEXT,
    position BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX dingtalk_group_members_name ON dingtalk_group_members (name);

-- What DingTalk cannot read back: admins appointed, the private-chat switch
-- and nicknames last set through chatdesk, with who set them and when.
CREATE TABLE dingtalk_group_admins (
    group_id TEXT NOT NULL REFERENCES dingtalk_groups (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

CREATE TABLE dingtalk_group_private_chat (
    group_id TEXT PRIMARY KEY REFERENCES dingtalk_groups (id) ON DELETE CASCADE,
    allowed BIGINT NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL
);

CREATE TABLE dingtalk_group_nicknames (
    group_id TEXT NOT NULL REFERENCES dingtalk_groups (id) ON DELETE CASCADE,
    user_id TEXT NOT NULL,
    nickname TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);
