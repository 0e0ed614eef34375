-- Daily task limits (BOINC's max_jobs_per_day). host.daily_tasks: the tasks the host may take a day (UTC), NULL
-- until its first results are folded (starling.trust.daily-tasks); each valid result adds
-- starling.trust.daily-tasks-per-valid, each invalid, error or timed-out one halves it (HostStanding.fold). A
-- volunteer may take starling.trust.volunteer-daily-tasks a day plus what their hosts earned above the start.
-- host_task_day counts, per host and day, the tasks the claim gave it and those it gave back (a given-back task still
-- counts against the day's limit; past starling.trust.give-backs-per-day the host gets no more tasks that day). The
-- claim reads the rows of its batch's hosts (and their volunteers' other hosts) by key before it claims, and adds
-- to them after. No foreign key to host, as on the other hot-path tables (V7).
ALTER TABLE host ADD COLUMN daily_tasks integer;

CREATE TABLE host_task_day (
    host_id    bigint  NOT NULL,
    day        date    NOT NULL,
    tasks      integer NOT NULL DEFAULT 0,
    given_back integer NOT NULL DEFAULT 0,
    PRIMARY KEY (host_id, day)
);
