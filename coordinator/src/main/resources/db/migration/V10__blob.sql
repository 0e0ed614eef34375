-- Blobs uploaded to the coordinator (POST /api/v1/blobs). The bytes live in the blob store (a content-addressed
-- directory); a row is written only once its bytes are complete and durable there, so a row means "servable".

CREATE TABLE blob (
    -- content address, "sha256:<hex>": the Merkle root over 1 MiB chunks (dev.starling.sdk.ContentAddress)
    id          text PRIMARY KEY,
    size        bigint      NOT NULL CHECK (size >= 0),
    -- SHA-256 of each 1 MiB chunk, in order, 32 bytes each (one leaf for empty content)
    leaf_hashes bytea       NOT NULL CHECK (length(leaf_hashes) > 0 AND length(leaf_hashes) % 32 = 0),
    created_at  timestamptz NOT NULL
);
