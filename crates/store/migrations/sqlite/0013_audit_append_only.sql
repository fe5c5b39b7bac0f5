-- The audit trail is append-only: records are never changed or removed, and the head only moves
-- forward onto a record that exists (the no-op update that takes its lock is allowed) (SQLite).
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'the audit head is kept'); END;
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON audit_head
WHEN NEW.seq < OLD.seq
  OR (NEW.seq = OLD.seq AND NEW.digest <> OLD.digest)
  OR (NEW.seq > OLD.seq AND NOT EXISTS (SELECT 1 FROM audit_log WHERE seq = NEW.seq AND digest = NEW.digest))
BEGIN SELECT RAISE(ABORT, 'the audit head only advances onto a written record'); END;
