-- "Never two replicas of one work unit to hosts of one volunteer" (starling.dispatch.distinct=volunteers, the
-- default): the claim writes the volunteer of the host it gives a replica to, and the database enforces the rule
-- as it does for hosts (result_wu_host), so two claims at once on two coordinators cannot both win. Unsent
-- replicas, anonymous hosts' replicas and every replica under distinct=hosts have none (NULLs never collide).
-- The index leads with the work unit, like the claim's anti-join that reads it: a work unit has a few replicas.
ALTER TABLE result ADD COLUMN volunteer_id bigint;
CREATE UNIQUE INDEX result_wu_volunteer ON result (work_unit_id, volunteer_id) WHERE volunteer_id IS NOT NULL;
