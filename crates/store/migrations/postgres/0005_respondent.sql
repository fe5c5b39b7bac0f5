-- A vendor sheet can be answered by the vendor's own organisation (事業者確認用).
ALTER TABLE assessments ADD COLUMN respondent_org_id UUID REFERENCES organisations(id);
