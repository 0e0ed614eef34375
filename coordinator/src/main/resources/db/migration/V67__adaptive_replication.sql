-- Adaptive replication (BOINC's): a host's run of consecutive valid results per app. A valid result adds one, an
-- invalid, error or timed-out one (or a failed spot check) ends the run (resets counts how often). Once the run is
-- starling.adaptive-replication.trust-after long, the claim gives the host a fresh work unit's replica alone with
-- probability 1 - 1/n: result.alone, and the work unit's other unsent replicas are cancelled in the same
-- transaction. An alone replica's success is a quorum by itself; if it fails, the work unit needs its full quorum
-- again. job.adaptive: whether the job allows it (the project's default when the job does not say).
-- No foreign key to host, as on the other hot-path tables (V7).
CREATE TABLE host_app_trust (
    host_id           bigint  NOT NULL,
    app               text    NOT NULL,
    consecutive_valid integer NOT NULL DEFAULT 0,
    resets            integer NOT NULL DEFAULT 0,
    PRIMARY KEY (host_id, app)
);

ALTER TABLE result ADD COLUMN alone boolean NOT NULL DEFAULT false;
ALTER TABLE job ADD COLUMN adaptive boolean NOT NULL DEFAULT false;
