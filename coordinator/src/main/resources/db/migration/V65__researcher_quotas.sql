-- The admin's quotas of a researcher (NULL: no limit): work units of unfinished jobs, unfinished jobs, and bytes of the
-- blobs they may read (uploads, deployed modules, output files kept for them). ResearcherQuotas checks them.
ALTER TABLE researcher
    ADD COLUMN quota_queued_work_units bigint  CHECK (quota_queued_work_units >= 0),
    ADD COLUMN quota_running_jobs      integer CHECK (quota_running_jobs >= 0),
    ADD COLUMN quota_stored_bytes      bigint  CHECK (quota_stored_bytes >= 0);
-- what the quotas' use is summed over
CREATE INDEX job_researcher_unfinished ON job (researcher_id) WHERE state IN ('QUEUED', 'RUNNING');
CREATE INDEX blob_upload_researcher ON blob_upload (researcher_id);
