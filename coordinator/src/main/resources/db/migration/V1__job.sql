-- A researcher's submission. Splitting progress lives here so that a crash mid-split resumes where it stopped.
CREATE TABLE job (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app              text        NOT NULL,
    params           jsonb       NOT NULL,
    state            text        NOT NULL DEFAULT 'QUEUED'
                     CHECK (state IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    priority         integer     NOT NULL DEFAULT 0,
    quorum           integer     NOT NULL CHECK (quorum >= 1),
    initial_replicas integer     NOT NULL CHECK (initial_replicas >= quorum),
    max_results      integer     NOT NULL CHECK (max_results >= initial_replicas),
    max_errors       integer     NOT NULL CHECK (max_errors >= 1),
    deadline_seconds integer     NOT NULL CHECK (deadline_seconds > 0),
    -- the stage being split or computed, how many work units it has, the next index to write
    stage            integer     NOT NULL DEFAULT 0,
    stage_size       bigint,
    split_next       bigint      NOT NULL DEFAULT 0,
    split_complete   boolean     NOT NULL DEFAULT false,
    result           jsonb,
    error            text,
    created_at       timestamptz NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz
);

CREATE INDEX job_newest ON job (id DESC);
-- the splitter's and the assimilator's work lists
CREATE INDEX job_unsplit ON job (priority DESC, id) WHERE NOT split_complete AND state IN ('QUEUED', 'RUNNING');
CREATE INDEX job_active ON job (id) WHERE state IN ('QUEUED', 'RUNNING');
