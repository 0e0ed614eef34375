-- One worker installation. The token is stored as a SHA-256 hash: a database leak does not leak tokens.
CREATE TABLE host (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name            text             NOT NULL,
    token_hash      bytea            NOT NULL,
    cores           integer          NOT NULL,
    memory_bytes    bigint           NOT NULL,
    os              text             NOT NULL,
    arch            text             NOT NULL,
    worker_version  text             NOT NULL,
    apps            text[]           NOT NULL,
    valid_count     bigint           NOT NULL DEFAULT 0,
    invalid_count   bigint           NOT NULL DEFAULT 0,
    error_count     bigint           NOT NULL DEFAULT 0,
    timeout_count   bigint           NOT NULL DEFAULT 0,
    credit          double precision NOT NULL DEFAULT 0,
    created_at      timestamptz      NOT NULL,
    last_contact_at timestamptz      NOT NULL
);
