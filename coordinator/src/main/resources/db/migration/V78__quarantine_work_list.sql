-- A quarantine's work list, as a conviction's (V77): two colluders that won a replicated quorum together while both
-- were in good standing, and are both quarantined later (for their invalid rate, or by the admin) without a
-- conviction, are found without reading result on every sweep. Once per quarantine: the re-checker notes when it
-- first sees it committed (quarantine_seen_at, the database's clock); once no transaction that began before then is
-- left, one pass over result lists in recheck_work_unit the work units where the host holds a VALID result, not
-- alone, and no host in good standing does (quarantine_scanned_at); the re-checker voids such a group if its hosts
-- are all still quarantined. A result of a quarantined host judged VALID later lists its work unit in the statement
-- that judges it, through host_quarantined. Lifting the quarantine (its rates recovered, or the admin) clears both
-- marks, so a host quarantined again gets a new pass.
ALTER TABLE host
    ADD COLUMN quarantine_seen_at    timestamptz,
    ADD COLUMN quarantine_scanned_at timestamptz;

-- the quarantined hosts, read once (hashed) by the statement that judges results
CREATE INDEX host_quarantined ON host (id) WHERE quarantined_at IS NOT NULL;
