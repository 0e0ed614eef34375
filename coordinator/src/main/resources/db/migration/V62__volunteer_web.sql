-- The volunteer's side of the web pages (issue 19, section 1).
--
-- A volunteer signs in with their email and a password they set with their account key (no mail server is needed):
-- stored, like the admin's, in Spring Security's "{id}hash" form (bcrypt). NULL: no password yet, no web sign-in.
ALTER TABLE volunteer ADD COLUMN password_hash   text;
ALTER TABLE volunteer ADD COLUMN password_set_at timestamptz;

-- What the volunteer decides about each of their hosts:
--   paused_at  the volunteer paused it: its running tasks are suspended (not lost) and it is sent no new ones;
--   label      the name the volunteer gave it on the web, shown instead of the name its worker registers with
--              (which the worker sends again at every start, so it cannot hold a rename);
--   retired_at the volunteer retired it: its calls are refused, and their pages list it no more.
ALTER TABLE host ADD COLUMN paused_at  timestamptz;
ALTER TABLE host ADD COLUMN label      text;
ALTER TABLE host ADD COLUMN retired_at timestamptz;

-- Credit and validated results per host and day (UTC), added in the same transaction that folds the judgements
-- into the host rows (HostStanding.fold), so each is counted once. The volunteer's credit history is drawn from
-- these daily totals: they stay when old jobs, work units and results are purged. The history starts with this
-- migration: totals from before stay in the host rows (host.credit, host.valid_count).
CREATE TABLE host_credit_day (
    host_id bigint           NOT NULL,
    day     date             NOT NULL,
    valid   bigint           NOT NULL DEFAULT 0,
    credit  double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (host_id, day)
);
