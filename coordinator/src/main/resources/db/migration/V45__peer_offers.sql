-- Whom the tracker offered each host as a peer for each blob (with a task's inputs, or as the coordinator's seeds
-- for a chunk), kept for starling.peers.complaint-window: a complaint about a peer counts only from a host that
-- was sent to it, so that nobody can accuse a peer they never fetched from. One row per host and blob.
CREATE TABLE peer_offer (
    host_id    bigint      NOT NULL,
    blob_id    text        NOT NULL,
    peers      bigint[]    NOT NULL,
    offered_at timestamptz NOT NULL,
    PRIMARY KEY (host_id, blob_id)
);
CREATE INDEX peer_offer_offered_at ON peer_offer (offered_at);

-- What a complaint says failed verification: only what the bytes prove. NULL on complaints stored before offers
-- were checked: they stay on record but never count toward a ban.
ALTER TABLE peer_complaint ADD COLUMN kind text CHECK (kind IN ('BAD_CHUNK', 'BAD_MANIFEST'));
