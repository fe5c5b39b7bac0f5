-- The organisation whose object a change acted on, when it is not the actor's own (a vendor
-- answering a hospital's sheet): that organisation sees the record in its audit trail too.
ALTER TABLE audit_log ADD COLUMN subject_org_id UUID;
CREATE INDEX audit_log_subject ON audit_log(subject_org_id, seq);
