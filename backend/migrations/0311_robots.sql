-- Security Center robots (issue 11). Upstream holds the robots; chatdesk
-- only remembers the unit picked for each robot's IntervalTime, which the
-- documentation gives as seconds on create and minutes on describe.
-- Portable to SQLite and PostgreSQL like 0001.
CREATE TABLE robot_interval_units (
    account_id TEXT NOT NULL REFERENCES alibaba_accounts (id) ON DELETE CASCADE,
    robot_id BIGINT NOT NULL,
    unit TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, robot_id)
);
