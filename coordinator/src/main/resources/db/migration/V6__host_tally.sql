-- Judgements not yet added to their host's counters. Validation appends here (an insert never waits for
-- another transaction) instead of updating host rows, which every report would otherwise queue on;
-- HostTallies folds the rows into the host table in batches. Readers add what is still here.
CREATE TABLE host_tally (
    host_id   bigint           NOT NULL REFERENCES host (id),
    valid     integer          NOT NULL DEFAULT 0,
    invalid   integer          NOT NULL DEFAULT 0,
    errors    integer          NOT NULL DEFAULT 0,
    timed_out integer          NOT NULL DEFAULT 0,
    credit    double precision NOT NULL DEFAULT 0
);

CREATE INDEX host_tally_host ON host_tally (host_id);
