-- One piece of a job. Redundancy limits are copied from the job so that dispatch and validation read one row.
CREATE TABLE work_unit (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id              bigint           NOT NULL REFERENCES job (id),
    stage               integer          NOT NULL,
    idx                 bigint           NOT NULL,
    input               bytea            NOT NULL,
    cost                double precision NOT NULL,
    state               text             NOT NULL DEFAULT 'OPEN'
                        CHECK (state IN ('OPEN', 'VALIDATED', 'FAILED', 'CANCELLED')),
    quorum              integer          NOT NULL,
    max_results         integer          NOT NULL,
    max_errors          integer          NOT NULL,
    canonical_result_id bigint,
    error               text,
    created_at          timestamptz      NOT NULL,
    finished_at         timestamptz,
    -- the splitter's idempotency key: writing a batch again inserts nothing
    UNIQUE (job_id, stage, idx)
);

CREATE INDEX work_unit_open ON work_unit (job_id) WHERE state = 'OPEN';
CREATE INDEX work_unit_job_state ON work_unit (job_id, state);
