-- The peer-to-peer data plane's metadata: where workers can be reached, which blobs work units read, who
-- holds what, what travelled, and the key that signs fetch tokens.

-- "host:port" of the worker's PeerService; NULL when it serves no peers (opted out, or unreachable)
ALTER TABLE host ADD COLUMN peer_address text;
-- set once independent reporters agree the host served bad chunks: it is no longer offered as a peer
ALTER TABLE host ADD COLUMN peer_banned_at timestamptz;

-- the blobs a work unit reads (WorkUnitSpec.blobs)
ALTER TABLE work_unit ADD COLUMN blobs text[] NOT NULL DEFAULT '{}';

-- The tracker: hosts that hold a blob in full (announced, or the canonical producers of an intermediate blob),
-- or are fetching it now (complete = false: they got a task that reads it, and serve what they verified).
CREATE TABLE blob_holder (
    blob_id  text        NOT NULL,
    host_id  bigint      NOT NULL,
    complete boolean     NOT NULL,
    since    timestamptz NOT NULL,
    PRIMARY KEY (blob_id, host_id)
);
CREATE INDEX blob_holder_host ON blob_holder (host_id);

-- Blobs a task stored on its worker (TaskContext.storeBlob), as its report listed them. Once the work unit is
-- validated, the canonical result's rows name the blobs it produced (lineage: which work unit re-creates a lost
-- blob), and the hosts whose output hash equals the canonical one hold them.
CREATE TABLE result_blob (
    result_id    bigint NOT NULL,
    work_unit_id bigint NOT NULL,
    blob_id      text   NOT NULL,
    size         bigint NOT NULL,
    PRIMARY KEY (result_id, blob_id)
);
CREATE INDEX result_blob_blob ON result_blob (blob_id);

-- Bytes moved for a job's tasks, appended as they are counted (the coordinator's own, and what workers report
-- they got from peers); the job view sums them.
CREATE TABLE job_transfer (
    job_id           bigint NOT NULL,
    from_coordinator bigint NOT NULL DEFAULT 0,
    from_peers       bigint NOT NULL DEFAULT 0
);
CREATE INDEX job_transfer_job ON job_transfer (job_id);

-- Workers' reports of peers that served chunks failing verification. Reports can be forged, so a host is
-- banned from serving only when enough distinct reporters agree.
CREATE TABLE peer_complaint (
    accused_host_id  bigint      NOT NULL,
    reporter_host_id bigint      NOT NULL,
    blob_id          text        NOT NULL,
    chunk            integer     NOT NULL,
    reason           text        NOT NULL,
    at               timestamptz NOT NULL,
    PRIMARY KEY (accused_host_id, reporter_host_id, blob_id, chunk)
);

-- The Ed25519 key pair that signs fetch tokens: made by the first coordinator to start, shared by all.
CREATE TABLE grant_key (
    id          integer PRIMARY KEY CHECK (id = 1),
    private_key bytea       NOT NULL,
    public_key  bytea       NOT NULL,
    created_at  timestamptz NOT NULL
);
