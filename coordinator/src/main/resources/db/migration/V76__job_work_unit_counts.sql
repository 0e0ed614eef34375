-- A job's work units by state, kept as they change, so that GET /api/v1/jobs/{id} and the jobs list read a few
-- rows instead of counting the job's work units (a 700,000 work unit job: 430 ms a view, the largest statement on
-- PostgreSQL during ./starling bench, which reads its job's view every 5 s).
--
-- Every statement that writes work_unit rows (the splitter's inserts, validation, failure, cancel, a re-check's
-- re-opening, the purger's deletes) appends its net change per job and state to job_work_unit_tally, through the
-- statement triggers below: an insert waits for nobody (like host_tally and job_activity_tally), and no path that
-- changes a state can forget to count it. The JobCountTallies sweeper folds those rows into job_work_unit_count;
-- readers add both, so counts are exact in every snapshot.
CREATE TABLE job_work_unit_count (
    job_id bigint NOT NULL,
    state  text   NOT NULL,
    n      bigint NOT NULL,
    PRIMARY KEY (job_id, state)
);

CREATE TABLE job_work_unit_tally (
    job_id bigint  NOT NULL,
    state  text    NOT NULL,
    n      integer NOT NULL
);
CREATE INDEX job_work_unit_tally_job ON job_work_unit_tally (job_id);

-- One function for the three triggers (PostgreSQL allows transition tables on one event per trigger, and on no
-- column list: recheck_hash's updates fire it too, and add nothing, since the states they see do not change).
CREATE FUNCTION job_work_unit_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO job_work_unit_tally (job_id, state, n)
        SELECT job_id, state, count(*) FROM new_rows GROUP BY job_id, state;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO job_work_unit_tally (job_id, state, n)
        SELECT job_id, state, -count(*) FROM old_rows GROUP BY job_id, state;
    ELSE
        INSERT INTO job_work_unit_tally (job_id, state, n)
        SELECT job_id, state, sum(n)
          FROM (SELECT job_id, state, 1 AS n FROM new_rows
                UNION ALL
                SELECT job_id, state, -1 FROM old_rows) c
         GROUP BY job_id, state
        HAVING sum(n) <> 0;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER work_unit_counted_insert AFTER INSERT ON work_unit
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION job_work_unit_tally();
CREATE TRIGGER work_unit_counted_update AFTER UPDATE ON work_unit
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION job_work_unit_tally();
CREATE TRIGGER work_unit_counted_delete AFTER DELETE ON work_unit
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION job_work_unit_tally();

-- what is there now, once (the table is locked by the triggers' creation, so nothing changes meanwhile)
INSERT INTO job_work_unit_count (job_id, state, n)
SELECT job_id, state, count(*) FROM work_unit GROUP BY job_id, state;
