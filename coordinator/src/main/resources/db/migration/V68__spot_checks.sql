-- Spot checks (Sarmenta): a validated work unit whose canonical output a quorum agreed on is now and then given out
-- again, as an ordinary replica (result.spot_check marks it for the coordinator only). A result that disagrees with
-- the known answer convicts its host: host.convicted_at, quarantine, trust ended; then every result it helped
-- validate (until the admin releases it) is re-checked: its work unit re-opened (work_unit.recheck_hash keeps the
-- canonical output's hash it had, to tell whether the re-check overturned it) for new replicas. A job whose work units are
-- re-checked counts them (rechecked_work_units), and those whose canonical output changed (overturned_work_units,
-- overturned_at); a succeeded job is re-opened (RUNNING) until they are validated again.
ALTER TABLE result ADD COLUMN spot_check boolean NOT NULL DEFAULT false;
ALTER TABLE host ADD COLUMN convicted_at timestamptz;
ALTER TABLE work_unit ADD COLUMN recheck_hash text;
ALTER TABLE job
    ADD COLUMN rechecked_work_units  integer NOT NULL DEFAULT 0,
    ADD COLUMN overturned_work_units integer NOT NULL DEFAULT 0,
    ADD COLUMN overturned_at         timestamptz;

-- the re-checker's work list: the few convicted hosts
CREATE INDEX host_convicted ON host (id) WHERE convicted_at IS NOT NULL;
