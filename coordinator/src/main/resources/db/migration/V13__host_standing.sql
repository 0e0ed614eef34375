-- A host's standing. Rolling counts of its recent results (each fold of host_tally first decays the old counts, so
-- they weigh roughly the last starling.reliability.window results); quarantine, set when the recent invalid or
-- error rate crosses a threshold (or by the admin) and lifted when it recovers: a quarantined host's results count
-- toward a quorum only with a host in good standing, and it gets at most starling.reliability.quarantine-tasks-per-day
-- tasks a day (quota_day/quota_used); bans, by the admin: a banned host's calls are refused.
ALTER TABLE host
    ADD COLUMN recent_valid      double precision NOT NULL DEFAULT 0,
    ADD COLUMN recent_invalid    double precision NOT NULL DEFAULT 0,
    ADD COLUMN recent_errors     double precision NOT NULL DEFAULT 0,
    ADD COLUMN recent_timed_out  double precision NOT NULL DEFAULT 0,
    ADD COLUMN quarantined_at    timestamptz,
    ADD COLUMN quarantine_reason text,
    ADD COLUMN quarantine_manual boolean NOT NULL DEFAULT false,
    ADD COLUMN quota_day         date,
    ADD COLUMN quota_used        integer NOT NULL DEFAULT 0,
    ADD COLUMN banned_at         timestamptz,
    ADD COLUMN ban_reason        text;

-- Set when the replica was sent to a quarantined host: it counts toward a quorum only in a group that holds a
-- result of a host in good standing.
ALTER TABLE result ADD COLUMN quarantined boolean NOT NULL DEFAULT false;
