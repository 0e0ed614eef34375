-- One replica of a work unit, sent to one host. app and priority are copied from the job for the claim query.
CREATE TABLE result (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    work_unit_id     bigint           NOT NULL REFERENCES work_unit (id),
    job_id           bigint           NOT NULL REFERENCES job (id),
    app              text             NOT NULL,
    priority         integer          NOT NULL,
    state            text             NOT NULL DEFAULT 'UNSENT'
                     CHECK (state IN ('UNSENT', 'IN_PROGRESS', 'REPORTED', 'ERROR', 'TIMED_OUT',
                                      'VALID', 'INVALID', 'INCONCLUSIVE', 'CANCELLED')),
    host_id          bigint REFERENCES host (id),
    created_at       timestamptz      NOT NULL,
    sent_at          timestamptz,
    lease_expires_at timestamptz,
    deadline_at      timestamptz,
    reported_at      timestamptz,
    progress         double precision,
    output           bytea,
    output_hash      text,
    output_size      bigint,
    error_message    text,
    cpu_time_millis  bigint,
    credit           double precision
);

-- the dispatch claim walks this, best priority first, oldest first (replicas of one WU are adjacent)
CREATE INDEX result_unsent ON result (priority DESC, id) WHERE state = 'UNSENT';
-- "never two replicas of one WU to one host": the anti-join must lead with the host, or it scans every result
CREATE INDEX result_host_wu ON result (host_id, work_unit_id);
CREATE INDEX result_wu ON result (work_unit_id);
-- the lease sweeper's work list
CREATE INDEX result_lease ON result (lease_expires_at) WHERE state = 'IN_PROGRESS';
CREATE INDEX result_job ON result (job_id);
