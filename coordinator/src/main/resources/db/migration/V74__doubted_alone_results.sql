-- A result accepted alone (adaptive replication) is provisional until its host is checked again: a later result of
-- the host for the app that others' results agreed with (a replicated task or a spot check, which the host cannot
-- tell apart from an alone one) vouches for every alone result it reported before that task was sent
-- (vouched_at: the latest such task's sent_at). A result of the host judged invalid doubts the ones not vouched for
-- (doubted_at): the re-checker voids each alone result reported from vouched_at on and up to doubted_at and re-opens
-- its work unit for a full quorum of other hosts. A turncoat (honest until trusted, then wrong) is thus re-checked
-- from its first replicated task after it turned, not only once a spot check convicts it.
ALTER TABLE host_app_trust
    ADD COLUMN vouched_at timestamptz,
    ADD COLUMN doubted_at timestamptz;

-- the re-checker's work list: the few doubted hosts, and their alone results
CREATE INDEX host_app_trust_doubted ON host_app_trust (host_id) WHERE doubted_at IS NOT NULL;
CREATE INDEX result_alone_valid ON result (host_id, app, reported_at) WHERE alone AND state = 'VALID';
