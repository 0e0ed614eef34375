-- "Never two replicas of one work unit to one host", enforced by the database as well as by the claim's
-- anti-join: two claims for one host running at once (say on two coordinators) cannot both win.
-- Unsent replicas have no host; NULLs never collide.
DROP INDEX result_host_wu;
CREATE UNIQUE INDEX result_host_wu ON result (host_id, work_unit_id);
