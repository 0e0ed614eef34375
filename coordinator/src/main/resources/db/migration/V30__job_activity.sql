-- What happened to each job, minute by minute: work units decided and results judged. The dashboard draws its
-- throughput charts and job progress from here, so that a refresh every few seconds reads a few hundred rows
-- instead of counting a job's work units or replicas.
--
-- Validation appends to job_activity_tally in its own transaction (an insert waits for nobody, like host_tally);
-- the ActivityTallies sweeper folds those rows into job_activity. Readers add both, so counts are exact at every
-- moment. Minutes are UTC minutes.

CREATE TABLE job_activity (
    job_id    bigint      NOT NULL,
    stage     integer     NOT NULL,
    minute    timestamptz NOT NULL,
    validated bigint      NOT NULL DEFAULT 0,  -- work units validated
    failed    bigint      NOT NULL DEFAULT 0,  -- work units failed
    valid     bigint      NOT NULL DEFAULT 0,  -- results judged valid (late ones too)
    invalid   bigint      NOT NULL DEFAULT 0,  -- results outvoted by the quorum
    errors    bigint      NOT NULL DEFAULT 0,  -- results reported as errors
    timed_out bigint      NOT NULL DEFAULT 0,  -- results whose lease ran out
    PRIMARY KEY (job_id, stage, minute)
);
-- the overview charts: every job's activity over the last hour(s)
CREATE INDEX job_activity_minute ON job_activity (minute);

CREATE TABLE job_activity_tally (
    job_id    bigint      NOT NULL,
    stage     integer     NOT NULL,
    minute    timestamptz NOT NULL,
    validated integer     NOT NULL DEFAULT 0,
    failed    integer     NOT NULL DEFAULT 0,
    valid     integer     NOT NULL DEFAULT 0,
    invalid   integer     NOT NULL DEFAULT 0,
    errors    integer     NOT NULL DEFAULT 0,
    timed_out integer     NOT NULL DEFAULT 0
);

-- What existed before this table, once: work units by the minute they finished, results by the minute they were
-- reported (timed-out ones by the minute their lease ran out).
INSERT INTO job_activity (job_id, stage, minute, validated, failed, valid, invalid, errors, timed_out)
SELECT job_id, stage, minute, sum(validated), sum(failed), sum(valid), sum(invalid), sum(errors), sum(timed_out)
  FROM (SELECT job_id, stage, date_trunc('minute', finished_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS minute,
               (state = 'VALIDATED')::int AS validated, (state = 'FAILED')::int AS failed,
               0 AS valid, 0 AS invalid, 0 AS errors, 0 AS timed_out
          FROM work_unit WHERE state IN ('VALIDATED', 'FAILED') AND finished_at IS NOT NULL
        UNION ALL
        SELECT w.job_id, w.stage,
               date_trunc('minute', coalesce(r.reported_at, r.lease_expires_at) AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
               0, 0, (r.state = 'VALID')::int, (r.state = 'INVALID')::int, (r.state = 'ERROR')::int,
               (r.state = 'TIMED_OUT')::int
          FROM result r JOIN work_unit w ON w.id = r.work_unit_id
         WHERE r.state IN ('VALID', 'INVALID', 'ERROR', 'TIMED_OUT')
           AND coalesce(r.reported_at, r.lease_expires_at) IS NOT NULL) a
 GROUP BY job_id, stage, minute;

-- Results that went wrong, newest first, without reading a job's every replica: the job page's recent failures
-- and the validation page's disagreements. Partial, so only the few rows in these states are indexed.
CREATE INDEX result_failures ON result (job_id, (coalesce(reported_at, lease_expires_at)))
    WHERE state IN ('ERROR', 'TIMED_OUT');
CREATE INDEX result_disagreements ON result (reported_at) WHERE state IN ('INVALID', 'INCONCLUSIVE');
-- work units waiting for a tie-breaker
CREATE INDEX result_inconclusive ON result (work_unit_id) WHERE state = 'INCONCLUSIVE';
