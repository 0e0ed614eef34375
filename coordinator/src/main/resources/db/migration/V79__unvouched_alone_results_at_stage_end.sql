-- Alone results (adaptive replication) are vouched for only by a spot check passed since (HostTrustTable.checked): a
-- replicated task that agreed with its partner may have agreed with a colluder. So the last alone results of a
-- turncoat that turned late are checked by nobody before its job's work runs out. A job's stage is therefore not
-- left (the next stage planned, the next reduce level, or the job assimilated) until the stage's work units whose
-- canonical result stood alone and is not vouched for, or was won by a quorum of hosts all quarantined now, are
-- computed again by a full quorum of other hosts: when the completer first finds the stage complete it lists them, in
-- one statement, in the re-checker's work list (stage_end: the re-checker voids those alone results still not vouched
-- for, and re-opens their work units) and notes the stage as checked; the job is not complete while any is listed or
-- open.
ALTER TABLE job ADD COLUMN alone_checked_stage integer;

ALTER TABLE recheck_work_unit
    ADD COLUMN job_id    bigint,
    ADD COLUMN stage_end boolean NOT NULL DEFAULT false;

-- the completer's "is anything of this job still listed"
CREATE INDEX recheck_work_unit_stage_end ON recheck_work_unit (job_id) WHERE stage_end;
