-- Blob collection (issue 18): blobs nothing references any more are deleted after starling.retention.blob-grace.

-- Blobs a job's work units read or the coordinator kept for it (work unit files, reduce inputs, output files), as
-- the splitter and validation write them: they are referenced until the job is purged, which deletes these rows.
CREATE TABLE job_blob (
    job_id  bigint NOT NULL,
    blob_id text   NOT NULL,
    PRIMARY KEY (job_id, blob_id)
);
CREATE INDEX job_blob_blob ON job_blob (blob_id);

-- Blobs a host should drop from its cache (collected from the store, or intermediate blobs of a purged job), told at
-- its next RequestWork or Heartbeat. The tracker forgets the host's holding when the row is written.
CREATE TABLE blob_drop (
    host_id bigint      NOT NULL,
    blob_id text        NOT NULL,
    since   timestamptz NOT NULL,
    PRIMARY KEY (host_id, blob_id)
);
