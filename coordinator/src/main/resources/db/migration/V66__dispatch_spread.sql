-- Spreading a work unit's replicas apart (docs/architecture.md, "Colluders"). The replicas of a work unit are written
-- one after another, so in plain id order they sit side by side at the head of the queue and two requests made back
-- to back get both. Each replica now takes a place in the queue, its slot: the order it was written in (a sequence
-- beside the id) plus a random part of up to 4096 places, drawn for each replica alone. The claim walks the queue by
-- slot, so a work unit's replicas are dealt among the requests of about the next 4096 replicas' worth of dispatch,
-- in an order nobody can predict from the ids a host sees; a work unit still waits only that long for its last
-- replica to be sent (a plain id order without interleaving would leave it half-sent for the whole job).
CREATE SEQUENCE result_slot;
SELECT setval('result_slot', coalesce((SELECT max(id) FROM result), 0) + 1);
ALTER TABLE result ADD COLUMN slot bigint;
UPDATE result SET slot = id + floor(random() * 4096) WHERE state IN ('UNSENT', 'IN_PROGRESS');
ALTER TABLE result ALTER COLUMN slot SET DEFAULT nextval('result_slot') + floor(random() * 4096)::bigint;
CREATE INDEX result_unsent_slot ON result (priority DESC, slot) WHERE state = 'UNSENT';
DROP INDEX result_unsent;

-- Hosts of one network (the address they registered from, cut to starling.dispatch.network-bits) never get two
-- replicas of one work unit: the network is kept on the host, and on each replica it was sent to, where the claim's
-- anti-join reads it beside the host and the volunteer. NULL: no network counts (loopback, rule off).
ALTER TABLE host ADD COLUMN network text;
ALTER TABLE result ADD COLUMN network text;
