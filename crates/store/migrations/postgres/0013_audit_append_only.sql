-- The audit trail is append-only: records are never changed or removed, and the head only moves
-- forward onto a record that exists (the no-op update that takes its lock is allowed) (PostgreSQL).
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

CREATE FUNCTION audit_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'the audit head is kept';
    END IF;
    IF NEW.seq < OLD.seq
       OR (NEW.seq = OLD.seq AND NEW.digest <> OLD.digest)
       OR (NEW.seq > OLD.seq AND NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND digest = NEW.digest)) THEN
        RAISE EXCEPTION 'the audit head only advances onto a written record';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE OR DELETE ON audit_head
FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
