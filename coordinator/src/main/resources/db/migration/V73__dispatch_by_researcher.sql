-- The dispatch queue by researcher (docs/architecture.md, "Fair share"). The claim first chooses the researcher whose
-- turn it is, then takes that researcher's unsent replicas in the order priority had within the whole queue before
-- (best priority first, then slot): so a priority orders a researcher's own jobs only, and the claim still reads the
-- head of one ordered index range instead of sorting or scanning. That needs the researcher on the queue's rows: each
-- replica carries its job's researcher (0: a job of the admin's, which belongs to no researcher), written when the
-- replica is created. No default: a statement that creates replicas without saying whose they are fails.
ALTER TABLE result ADD COLUMN researcher_id bigint NOT NULL DEFAULT 0;
ALTER TABLE result ALTER COLUMN researcher_id DROP DEFAULT;
-- only the replicas that are or may again be in the queue (one in progress is given back or unclaimed as UNSENT);
-- decided ones keep 0, which nothing reads
UPDATE result r SET researcher_id = j.researcher_id
  FROM job j
 WHERE j.id = r.job_id AND j.researcher_id IS NOT NULL AND r.state IN ('UNSENT', 'IN_PROGRESS');
CREATE INDEX result_unsent_researcher ON result (researcher_id, priority DESC, slot) WHERE state = 'UNSENT';
DROP INDEX result_unsent_slot;
