-- The audit log: who did what to which object, when, with what outcome. Never message text
-- and never personal values: actors and objects are ids, actions and outcomes are fixed
-- words. Each row's mac is HMAC-SHA256 (key derived from the key ring) over its content and
-- the previous row's mac, so an edit, deletion, reordering or forgery made with database
-- access alone shows in `plauder audit verify`. seq is gapless: appends are serialised.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id BIGINT,
    outcome TEXT NOT NULL,
    reason TEXT,
    mac BYTEA NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, actor_id, seq);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- Append-only for the program: rows are never changed (retention deletes the oldest ones).
-- Someone with database access can drop this trigger; the chain's MACs still show the edit.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- Where the chain starts after retention pruned its oldest entries: the seq and mac of the
-- last pruned entry, and a mac over both (and the time), so the anchor cannot be moved.
-- No row: the chain starts at seq 1.
CREATE TABLE audit_anchor (
    id BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    seq BIGINT NOT NULL,
    mac BYTEA NOT NULL,
    pruned_at TIMESTAMP NOT NULL,
    anchor_mac BYTEA NOT NULL
);
