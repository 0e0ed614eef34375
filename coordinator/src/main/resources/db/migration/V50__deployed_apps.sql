-- Deployed (WebAssembly) apps, issue 15. An app name belongs to whoever deployed it first (a researcher, or the
-- admin: NULL); only they and the admin deploy its versions, and only they, the admin and, once the owner shares the
-- name, every researcher run them. A version is immutable: its module is a blob (content-addressed, it travels to
-- workers over the data plane like any input) and its manifest is stored as checked, defaults filled in. Jobs name
-- the version they were pinned to at submit ("name@version" in job.app and result.app).

CREATE TABLE app_name (
    name          text        PRIMARY KEY,
    researcher_id bigint      REFERENCES researcher (id),
    shared        boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL
);

CREATE TABLE app_version (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             text        NOT NULL REFERENCES app_name (name),
    version          text        NOT NULL,
    module_blob      text        NOT NULL REFERENCES blob (id),
    module_size      bigint      NOT NULL,
    manifest         jsonb       NOT NULL,
    -- the manifest's limits.memoryMiB: dispatch gives its tasks only to hosts offering that much to WebAssembly
    memory_mib       integer     NOT NULL CHECK (memory_mib > 0),
    -- ENABLED: runs and takes jobs; DISABLED (the admin): its jobs run, no new ones; REVOKED (the admin, for good):
    -- its jobs are cancelled and workers drop its tasks
    state            text        NOT NULL DEFAULT 'ENABLED' CHECK (state IN ('ENABLED', 'DISABLED', 'REVOKED')),
    state_reason     text,
    state_changed_at timestamptz,
    created_at       timestamptz NOT NULL,
    UNIQUE (name, version)
);
