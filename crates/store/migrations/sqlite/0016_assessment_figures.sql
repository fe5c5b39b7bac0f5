-- What each assessment's current answers add up to, kept so that a list of assessments need not
-- read every answer. Every change to the answers moves the assessment's revision (triggers, so no
-- writer can forget it); kept figures carry the revision and the catalog they were counted at and
-- are counted again when either has moved on (SQLite).
ALTER TABLE assessments ADD COLUMN answers_rev BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER assessment_answers_rev_insert AFTER INSERT ON assessment_answers
BEGIN
    UPDATE assessments SET answers_rev = answers_rev + 1 WHERE id = NEW.assessment_id;
END;
CREATE TRIGGER assessment_answers_rev_update AFTER UPDATE ON assessment_answers
BEGIN
    UPDATE assessments SET answers_rev = answers_rev + 1 WHERE id = NEW.assessment_id;
END;
CREATE TRIGGER assessment_answers_rev_delete AFTER DELETE ON assessment_answers
BEGIN
    UPDATE assessments SET answers_rev = answers_rev + 1 WHERE id = OLD.assessment_id;
END;

CREATE TABLE assessment_figures (
    assessment_id BLOB PRIMARY KEY NOT NULL REFERENCES assessments(id),
    answers_rev BIGINT NOT NULL,
    catalog TEXT NOT NULL,
    required BIGINT NOT NULL,
    answered BIGINT NOT NULL,
    yes BIGINT NOT NULL,
    no BIGINT NOT NULL,
    not_applicable BIGINT NOT NULL,
    open BIGINT NOT NULL
);
