-- A held secret belongs to one upstream instance of its configuration
-- (issue 17): a configuration deleted and re-created under the same name
-- outside chatdesk is another instance, whose secret chatdesk never saw.
-- Each held secret records the instance it was given to: the CreatedDate
-- (epoch milliseconds) and the webhook URL (Outputs.URL) OOS showed then.
-- Rows from before this migration record none and count as created
-- elsewhere: the next edit of the Configuration asks for the secret once,
-- rather than risk sending a stale one.
-- Portable to SQLite and PostgreSQL like 0001.
ALTER TABLE chat_config_secrets ADD COLUMN instance_created BIGINT;
ALTER TABLE chat_config_secrets ADD COLUMN instance_webhook TEXT;
