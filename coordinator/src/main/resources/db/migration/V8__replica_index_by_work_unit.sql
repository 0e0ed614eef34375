-- Claims are made for many hosts at once: "does any of these hosts hold a replica of this work unit" is
-- answered from the work unit's few replicas, so the unique index leads with the work unit. It also serves
-- every "replicas of this work unit" lookup, which makes result_wu redundant (one index less to maintain
-- on every replica update).
DROP INDEX result_host_wu;
DROP INDEX result_wu;
CREATE UNIQUE INDEX result_wu_host ON result (work_unit_id, host_id);
