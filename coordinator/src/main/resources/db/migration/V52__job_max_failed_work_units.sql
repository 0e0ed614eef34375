-- A job may let up to max_failed_work_units of its work units fail and still succeed with the others (deployed apps,
-- issue 15): a failed work unit fails its job only when the job then has more failed work units than this.
ALTER TABLE job ADD COLUMN max_failed_work_units integer NOT NULL DEFAULT 0 CHECK (max_failed_work_units >= 0);
