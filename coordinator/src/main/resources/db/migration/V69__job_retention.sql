-- Retention (issue 18): a finished job's work units and replicas are archived and then deleted, in batches, once it
-- has been finished for starling.retention.finished-jobs, or at once when its researcher deletes it. The job row
-- stays: it answers GET /api/v1/jobs/{id} from what is kept here, and late reports of its replicas from its result id
-- range. Nothing is added to the dispatch path: these columns are read only by the job's view and the purger.

ALTER TABLE job
    -- the archive: a gzip JSON-lines blob of the job, its work units (with canonical outputs) and replicas
    ADD COLUMN archive_blob    text REFERENCES blob (id),
    -- the job's counts, transfer totals and failed work units as its view showed them, written before anything is
    -- deleted; from then on the view reads them from here
    ADD COLUMN summary         jsonb,
    ADD COLUMN archived_at     timestamptz,
    -- the smallest and largest id of its replicas: a report naming an id in between that is gone was the job's
    ADD COLUMN first_result_id bigint,
    ADD COLUMN last_result_id  bigint,
    -- its work units and replicas are all deleted
    ADD COLUMN purged_at       timestamptz,
    -- DELETE /api/v1/jobs/{id}: hidden from the API at once, purged without an archive
    ADD COLUMN deleted_at      timestamptz,
    -- one coordinator purges a job at a time: another skips it until this has passed (a killed one's lease lapses)
    ADD COLUMN purge_lease     timestamptz;

-- the purger's work list: finished jobs not yet purged, oldest first
CREATE INDEX job_purge_due ON job (finished_at) WHERE purged_at IS NULL AND finished_at IS NOT NULL;
-- late reports of purged replicas
CREATE INDEX job_purged_results ON job (last_result_id) WHERE first_result_id IS NOT NULL;
-- the blob collector: is this blob a job's archive
CREATE INDEX job_archive_blob ON job (archive_blob) WHERE archive_blob IS NOT NULL;
