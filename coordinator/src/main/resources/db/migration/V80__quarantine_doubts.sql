-- Whether a host's quarantine doubts what it helped validate: quarantined for its invalid rate, by the admin, or
-- convicted by a spot check. A quarantine for errors or timed-out tasks (a flaky or unreachable machine; every worker
-- of a coordinator that was down a while) doubts nothing: a quorum its hosts won stands. Only doubting quarantines get
-- the re-checker's pass (V78), and only they make a quorum "won by hosts all quarantined now" (voided and computed
-- again), at a stage's end too (V79). Kept false while the host is not quarantined.
ALTER TABLE host ADD COLUMN quarantine_doubts boolean NOT NULL DEFAULT false;

UPDATE host SET quarantine_doubts = true
 WHERE quarantined_at IS NOT NULL
   AND (quarantine_manual OR convicted_at IS NOT NULL OR quarantine_reason LIKE '%invalid%');
