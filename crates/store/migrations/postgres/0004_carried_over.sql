-- Answers carried over from last fiscal year are marked until someone confirms them again.
ALTER TABLE assessment_answers ADD COLUMN carried_over BOOLEAN NOT NULL DEFAULT FALSE;
