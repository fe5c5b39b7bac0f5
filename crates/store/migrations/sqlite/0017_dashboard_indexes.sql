-- Indexes for what every dashboard reads, so that it costs the same with ten thousand devices or
-- a thousand assessments as with ten.
-- The device ledger's figures (internet-facing, past support end, without a recent patch): every
-- column they need is in the index, so a large ledger is counted without reading its rows, and
-- the devices reachable from outside are found without a scan.
CREATE INDEX devices_figures ON devices(org_id, internet_facing, support_end, last_patch);
-- The newest assessment (latest fiscal year, started last) without sorting them all; it serves
-- what the index by organisation and fiscal year served.
CREATE INDEX assessments_newest ON assessments(org_id, fiscal_year, created_at);
DROP INDEX assessments_org;
-- The assessments of given sheets (the vendor sheets outstanding).
CREATE INDEX assessments_sheet ON assessments(org_id, sheet_id);
