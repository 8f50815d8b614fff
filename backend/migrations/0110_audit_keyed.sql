-- The keyed audit chain (issue 13). Events from `keyed_from` on are linked
-- with HMAC-SHA256 under the audit key, which is not in the database; the
-- events before it keep their plain SHA-256 links (key_id NULL). The
-- switch-over point is set when a console first opens the trail, after
-- this migration (see backend/src/audit/keys.rs), together with
-- `keyed_mac`, the audit key's signature over it, so it cannot be moved.
-- `trail` names the trail, so a process knows which keys sign it.
ALTER TABLE audit_head ADD COLUMN trail TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_head ADD COLUMN keyed_from BIGINT;
ALTER TABLE audit_head ADD COLUMN keyed_mac TEXT;
ALTER TABLE audit_events ADD COLUMN key_id TEXT;
