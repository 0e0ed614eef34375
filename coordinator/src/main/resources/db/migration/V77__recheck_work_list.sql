-- The re-checker's work list of convicted hosts' results, so that no sweep scans the result table (no index leads
-- with host_id, and an index on every VALID result would cost the validation path a write for every result to serve
-- the few convicted hosts). A conviction is scanned for once: when the re-checker first sees it committed it notes
-- the time (convicted_seen_at, the database's clock); once no transaction that began before that is left (so none
-- can still write a VALID result of the host without having seen the conviction), one pass over result lists the
-- work units of the host's VALID results (convicted_scanned_at). A result of a convicted host judged VALID later
-- lists its work unit in the statement that judges it. Releasing the host clears both.
ALTER TABLE host
    ADD COLUMN convicted_seen_at    timestamptz,
    ADD COLUMN convicted_scanned_at timestamptz;

-- work units holding a VALID result of a convicted host, to re-check; a batch's rows go in the transaction that
-- re-checks it
CREATE TABLE recheck_work_unit (
    work_unit_id bigint PRIMARY KEY
);
