-- Starling's database schema as it stands after every migration, in one place, to read. The migrations in
-- coordinator/src/main/resources/db/migration are what makes it (never edited after they land); this file says
-- what they add up to, and SchemaTest fails when the two differ (columns in order, types, defaults,
-- nullability, constraints, indexes). A change to the schema is a new migration AND an edit here.
--
-- Columns are in their real order: those added by later migrations come last. Host ids in result and host_tally
-- carry no foreign key on purpose (V7: the hot paths would share-lock host rows).

-- ---------------------------------------------------------------------------------------------------------------
-- Accounts: who may do what. No secret is stored: the admin's password as a slow hash (bcrypt), keys as SHA-256
-- of their random 256-bit secret.

-- The admin (dashboard and admin API): created at the first start (AdminAccount).
CREATE TABLE admin_account (
    username        text PRIMARY KEY,
    -- Spring Security's "{id}hash" form, e.g. "{bcrypt}$2a$10$..."
    password_hash   text        NOT NULL,
    created_at      timestamptz NOT NULL,
    password_set_at timestamptz NOT NULL
);

-- Failed logins by client address (LoginThrottle), shared by every coordinator on the database: a count of the
-- failures since the first one of the current window.
CREATE TABLE login_failure (
    address  text        PRIMARY KEY,
    failures integer     NOT NULL,
    first_at timestamptz NOT NULL
);
CREATE INDEX login_failure_first_at ON login_failure (first_at);

-- A researcher submits jobs and uploads blobs with API keys the admin makes.
CREATE TABLE researcher (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL,
    -- the admin's quotas (NULL: no limit): work units of unfinished jobs, unfinished jobs, and bytes of the blobs the
    -- researcher may read (uploads, deployed modules, output files kept for them); ResearcherQuotas
    quota_queued_work_units bigint  CHECK (quota_queued_work_units >= 0),
    quota_running_jobs      integer CHECK (quota_running_jobs >= 0),
    quota_stored_bytes      bigint  CHECK (quota_stored_bytes >= 0),
    -- the admin's share of dispatch (a weight): among the researchers with work waiting, dispatch serves each in
    -- proportion to its share (FairShare)
    share                   integer NOT NULL DEFAULT 1 CHECK (share BETWEEN 1 AND 1000000)
);

-- A researcher's API keys, "sr_<id>_<secret>"; several at once (a new one before the old is revoked).
CREATE TABLE researcher_key (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    researcher_id bigint      NOT NULL REFERENCES researcher (id),
    secret_hash   bytea       NOT NULL,
    created_at    timestamptz NOT NULL,
    revoked_at    timestamptz
);
CREATE INDEX researcher_key_researcher ON researcher_key (researcher_id);

-- A volunteer owns hosts and earns their credit. The account key is "sv_<id>_<secret>"; rotating it replaces the
-- secret. Hosts registered with it belong to the volunteer for good.
CREATE TABLE volunteer (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name           text        NOT NULL,
    email          text        NOT NULL,
    key_hash       bytea       NOT NULL,
    created_at     timestamptz NOT NULL,
    key_rotated_at timestamptz,
    -- the admin's ban of a volunteer: every call of their hosts, and a registration with their key, is refused
    banned_at      timestamptz,
    ban_reason     text,
    -- the address it was signed up from (through a trusted proxy, the one it forwarded); NULL: made by the admin.
    -- Sign-up counts an address's recent accounts (starling.volunteers.sign-ups-per-address)
    sign_up_address text,
    -- the web password the volunteer set with their account key (bcrypt, "{bcrypt}$2a$..."); NULL: none yet
    password_hash   text,
    password_set_at timestamptz
);
CREATE UNIQUE INDEX volunteer_email ON volunteer (lower(email));
CREATE INDEX volunteer_sign_up_address ON volunteer (sign_up_address, created_at) WHERE sign_up_address IS NOT NULL;

-- A volunteer's account-wide computing preferences by venue, as the worker's config file writes them (keys cores,
-- cpuLimit, cpuLimitIdle, idleOnly, computeHours, networkHours, memoryLimit, diskLimit, workBuffer), checked by the
-- coordinator; every host of the account picks up its venue's set (else the default set) at its next contact.
CREATE TABLE account_preferences (
    volunteer_id bigint      NOT NULL REFERENCES volunteer (id),
    venue        text        NOT NULL CHECK (venue IN ('default', 'home', 'work', 'school')),
    prefs        jsonb       NOT NULL,
    updated_at   timestamptz NOT NULL,
    PRIMARY KEY (volunteer_id, venue)
);

-- ---------------------------------------------------------------------------------------------------------------
-- The work: jobs, their work units, and each work unit's replicas (the result table).

-- A researcher's submission, with its redundancy policy. Splitting progress lives here, so that a crash mid-split
-- resumes where it stopped.
CREATE TABLE job (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app              text        NOT NULL,
    params           jsonb       NOT NULL,
    -- JobState
    state            text        NOT NULL DEFAULT 'QUEUED'
                     CHECK (state IN ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')),
    priority         integer     NOT NULL DEFAULT 0,
    quorum           integer     NOT NULL CHECK (quorum >= 1),
    initial_replicas integer     NOT NULL CHECK (initial_replicas >= quorum),
    max_results      integer     NOT NULL CHECK (max_results >= initial_replicas),
    max_errors       integer     NOT NULL CHECK (max_errors >= 1),
    deadline_seconds integer     NOT NULL CHECK (deadline_seconds > 0),
    -- the stage being split or computed, how many work units it has, the next index to write
    stage            integer     NOT NULL DEFAULT 0,
    stage_size       bigint,
    split_next       bigint      NOT NULL DEFAULT 0,
    split_complete   boolean     NOT NULL DEFAULT false,
    -- the assimilated result (the app's JSON), once SUCCEEDED
    result           jsonb,
    error            text,
    created_at       timestamptz NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz,
    -- NULL: submitted by the admin, visible to the admin only
    researcher_id    bigint REFERENCES researcher (id),
    -- how many of its work units may fail with the job still succeeding (deployed apps; 0: none)
    max_failed_work_units integer NOT NULL DEFAULT 0 CHECK (max_failed_work_units >= 0),
    -- a deployed app's job's reduce step: its app (name@version, pinned at submit) and {"args", "fanIn", "maxInputs",
    -- "maxInputBytes"} fixed at submit; the job's stages after the first are its levels, their work units its app's
    reduce_app       text,
    reduce           jsonb,
    -- adaptive replication allowed: a long-trusted host's result may stand alone (redundancy.adaptive, the project's
    -- starling.adaptive-replication.enabled when the job does not say)
    adaptive         boolean     NOT NULL DEFAULT false,
    -- work units re-opened because a host that helped validate them failed a spot check, and those of them whose
    -- canonical output changed when validated again (the last at overturned_at)
    rechecked_work_units  integer NOT NULL DEFAULT 0,
    overturned_work_units integer NOT NULL DEFAULT 0,
    overturned_at    timestamptz,
    -- retention (V69): the archive of its work units and replicas (a gzip JSON-lines blob; the key is added below
    -- the blob table), its view's counts kept before they were deleted, its replicas' id range (late reports), when
    -- the last was deleted, when its researcher deleted it, and the purging coordinator's lease
    archive_blob     text,
    summary          jsonb,
    archived_at      timestamptz,
    first_result_id  bigint,
    last_result_id   bigint,
    purged_at        timestamptz,
    deleted_at       timestamptz,
    purge_lease      timestamptz,
    -- the last stage whose work units that stood alone, not vouched for (or won by hosts all quarantined), were
    -- listed for re-checking before the job moved past it (V79; JobTable.holdUnvouched)
    alone_checked_stage integer,
    CONSTRAINT job_reduce_whole CHECK ((reduce_app IS NULL) = (reduce IS NULL))
);
CREATE INDEX job_newest ON job (id DESC);
-- the splitter's (which sorts these few rows by split_next first) and the completer's work lists
CREATE INDEX job_unsplit ON job (priority DESC, id) WHERE NOT split_complete AND state IN ('QUEUED', 'RUNNING');
CREATE INDEX job_active ON job (id) WHERE state IN ('QUEUED', 'RUNNING');
CREATE INDEX job_researcher_newest ON job (researcher_id, id DESC);
-- a researcher's use of their quotas (ResearcherQuotas)
CREATE INDEX job_researcher_unfinished ON job (researcher_id) WHERE state IN ('QUEUED', 'RUNNING');
-- the purger's work list, late reports of purged replicas, the blob collector's "is it an archive"
CREATE INDEX job_purge_due ON job (finished_at) WHERE purged_at IS NULL AND finished_at IS NOT NULL;
CREATE INDEX job_purged_results ON job (last_result_id) WHERE first_result_id IS NOT NULL;
CREATE INDEX job_archive_blob ON job (archive_blob) WHERE archive_blob IS NOT NULL;

-- One piece of a job. The redundancy limits are copied from the job, so that dispatch and validation read one row.
CREATE TABLE work_unit (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    job_id              bigint           NOT NULL REFERENCES job (id),
    stage               integer          NOT NULL,
    idx                 bigint           NOT NULL,
    input               bytea            NOT NULL,
    -- the credit a VALID result earns (WorkUnitSpec.cost)
    cost                double precision NOT NULL,
    -- WorkUnitState
    state               text             NOT NULL DEFAULT 'OPEN'
                        CHECK (state IN ('OPEN', 'VALIDATED', 'FAILED', 'CANCELLED')),
    quorum              integer          NOT NULL,
    max_results         integer          NOT NULL,
    max_errors          integer          NOT NULL,
    canonical_result_id bigint,
    error               text,
    created_at          timestamptz      NOT NULL,
    finished_at         timestamptz,
    -- the blobs it reads (WorkUnitSpec.blobs)
    blobs               text[]           NOT NULL DEFAULT '{}',
    -- while it is re-checked (re-opened after a host that helped validate it failed a spot check): the hash of the
    -- canonical output it had, to tell whether the re-check overturns it
    recheck_hash        text,
    -- the splitter's idempotency key: writing a batch again inserts nothing
    UNIQUE (job_id, stage, idx)
);
CREATE INDEX work_unit_open ON work_unit (job_id) WHERE state = 'OPEN';
CREATE INDEX work_unit_job_state ON work_unit (job_id, state);

-- One worker installation, belonging to a volunteer (or anonymous). The token is stored as a SHA-256 hash: a
-- database leak does not leak tokens. Counters and credit are folded in from host_tally by HostTallies.
CREATE TABLE host (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name              text             NOT NULL,
    -- the host token's hash; NULL once the admin revoked it (the host registers again with its volunteer's key)
    token_hash        bytea,
    cores             integer          NOT NULL,
    memory_bytes      bigint           NOT NULL,
    os                text             NOT NULL,
    arch              text             NOT NULL,
    worker_version    text             NOT NULL,
    apps              text[]           NOT NULL,
    valid_count       bigint           NOT NULL DEFAULT 0,
    invalid_count     bigint           NOT NULL DEFAULT 0,
    error_count       bigint           NOT NULL DEFAULT 0,
    timeout_count     bigint           NOT NULL DEFAULT 0,
    credit            double precision NOT NULL DEFAULT 0,
    created_at        timestamptz      NOT NULL,
    last_contact_at   timestamptz      NOT NULL,
    -- "host:port" of the worker's PeerService; NULL when it serves no peers (opted out, or unreachable)
    peer_address      text,
    -- set once independent reporters agree the host served bad chunks: it is no longer offered as a peer
    peer_banned_at    timestamptz,
    -- NULL: an anonymous host (only when starling.volunteers.anonymous-hosts is on)
    volunteer_id      bigint REFERENCES volunteer (id),
    -- its standing: rolling counts of its recent results (each fold decays the old counts, so they weigh roughly
    -- the last starling.reliability.window results); quarantine, set when the recent invalid or error rate crosses
    -- a threshold (or by the admin) and lifted when it recovers; a quarantined host gets at most
    -- starling.reliability.quarantine-tasks-per-day tasks a day (quota_day, quota_used); bans, by the admin
    recent_valid      double precision NOT NULL DEFAULT 0,
    recent_invalid    double precision NOT NULL DEFAULT 0,
    recent_errors     double precision NOT NULL DEFAULT 0,
    recent_timed_out  double precision NOT NULL DEFAULT 0,
    quarantined_at    timestamptz,
    quarantine_reason text,
    quarantine_manual boolean          NOT NULL DEFAULT false,
    quota_day         date,
    quota_used        integer          NOT NULL DEFAULT 0,
    banned_at         timestamptz,
    ban_reason        text,
    -- token rotation in two steps: the new token's hash waits in next_token_hash, and both work until the new one
    -- is first used, which makes it the token; revocation clears token_hash
    next_token_hash          bytea,
    token_rotation_asked_at  timestamptz,
    token_rotated_at         timestamptz,
    token_revoked_at         timestamptz,
    -- the worker protocol it spoke when it last registered (NULL: registered before it was kept)
    protocol_version  integer,
    -- the linear memory it gives deployed (WebAssembly) apps' tasks, in MiB; NULL: it runs none. Dispatch gives a
    -- deployed app's tasks only to hosts offering at least its limits.memoryMiB
    wasm_memory_mib   integer CHECK (wasm_memory_mib > 0),
    -- what its volunteer decided on the web: paused (its tasks suspended, no new ones), the name shown instead of
    -- the one its worker registers with, retired (its calls refused, no longer listed)
    paused_at         timestamptz,
    label             text,
    retired_at        timestamptz,
    -- the venue whose account preferences it takes (its venue's set, else the default set)
    venue             text             NOT NULL DEFAULT 'default'
                      CHECK (venue IN ('default', 'home', 'work', 'school')),
    -- the network it registered from (its address cut to starling.dispatch.network-bits); NULL: none counts
    network           text,
    -- when it failed a spot check: what it helped validate before is re-checked (Rechecker)
    convicted_at      timestamptz,
    -- why its last RequestWork got no task (NoWork.Reason in worker.proto), in words, and since when: written when
    -- the reason changes, cleared when it is given tasks again; for its volunteer's page
    no_work           text,
    no_work_message   text,
    no_work_at        timestamptz,
    -- the tasks it may take a day; NULL: starling.trust.daily-tasks, until its first results are folded (grows with
    -- each valid result, halved by an invalid, error or timed-out one)
    daily_tasks       integer,
    -- a conviction's work list (Rechecker): when the re-checker first saw it committed (the database's clock), and
    -- when, every transaction begun before that having ended, it listed the work units of the host's VALID results
    -- in recheck_work_unit (one pass over result per conviction); cleared when the admin releases the host
    convicted_seen_at    timestamptz,
    convicted_scanned_at timestamptz,
    -- a quarantine's work list (Rechecker), as a conviction's: when the re-checker first saw it committed, and when
    -- it listed the work units where the host holds a VALID result, not alone, beside no host in good standing (one
    -- pass over result per quarantine); cleared when the quarantine is lifted, so a new one gets a new pass
    quarantine_seen_at    timestamptz,
    quarantine_scanned_at timestamptz,
    -- quarantined for its invalid rate, by the admin or convicted: the quarantine doubts what the host validated
    -- (V80); one for errors or timeouts does not
    quarantine_doubts     boolean NOT NULL DEFAULT false
);
CREATE INDEX host_volunteer ON host (volunteer_id);
-- the re-checker's work list: the few convicted hosts
CREATE INDEX host_convicted ON host (id) WHERE convicted_at IS NOT NULL;
-- the quarantined hosts, read once (hashed) by the statement that judges results
CREATE INDEX host_quarantined ON host (id) WHERE quarantined_at IS NOT NULL;

-- Work units to re-check (Rechecker): those holding a VALID result of a convicted host, listed by the conviction's
-- one pass over result and by the statement that judges a convicted host's result VALID later; those whose VALID
-- results were all of hosts quarantined now, listed by the quarantine's one pass and by that statement likewise. A
-- batch's rows are deleted in the transaction that re-checks it. No foreign key (V7).
CREATE TABLE recheck_work_unit (
    work_unit_id bigint PRIMARY KEY,
    -- listed by the completer at the end of a stage (V79): its canonical result stood alone and is not vouched for
    -- (the re-checker voids it if it still is not), or its quorum's hosts are all quarantined now; the job (job_id)
    -- is not complete while the row is here
    job_id       bigint,
    stage_end    boolean NOT NULL DEFAULT false
);
-- the completer's "is anything of this job still listed"
CREATE INDEX recheck_work_unit_stage_end ON recheck_work_unit (job_id) WHERE stage_end;

-- Adaptive replication: a host's run of consecutive valid results per app (a valid one adds one; an invalid, error
-- or timed-out one, or a failed spot check, ends it: resets counts the ends). No foreign key (V7).
CREATE TABLE host_app_trust (
    host_id           bigint  NOT NULL,
    app               text    NOT NULL,
    consecutive_valid integer NOT NULL DEFAULT 0,
    resets            integer NOT NULL DEFAULT 0,
    -- the latest sent_at of the host's spot checks for the app judged valid (V79: before, any result judged valid
    -- against other hosts' results): they vouch for its alone results reported before
    vouched_at        timestamptz,
    -- a result judged invalid since: its alone results reported from vouched_at on and up to this are re-checked
    doubted_at        timestamptz,
    PRIMARY KEY (host_id, app)
);
CREATE INDEX host_app_trust_doubted ON host_app_trust (host_id) WHERE doubted_at IS NOT NULL;

-- Tasks the claim gave each host a day (UTC), and those it gave back, against its daily limits (DailyLimits)
CREATE TABLE host_task_day (
    host_id    bigint  NOT NULL,
    day        date    NOT NULL,
    tasks      integer NOT NULL DEFAULT 0,
    given_back integer NOT NULL DEFAULT 0,
    PRIMARY KEY (host_id, day)
);

-- Credit and validated results per host and day (UTC), added by the fold that adds them to the host rows: the
-- volunteer's credit history, which stays when old jobs and their results are purged.
CREATE TABLE host_credit_day (
    host_id bigint           NOT NULL,
    day     date             NOT NULL,
    valid   bigint           NOT NULL DEFAULT 0,
    credit  double precision NOT NULL DEFAULT 0,
    PRIMARY KEY (host_id, day)
);

-- A replica's place in the dispatch queue is this sequence's next value (the order of writing) plus a random part
CREATE SEQUENCE result_slot;

-- One replica of a work unit: a task once it is sent to a host, a result once reported (ReplicaState). app and
-- priority are copied from the job for the claim statement.
CREATE TABLE result (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    work_unit_id     bigint           NOT NULL REFERENCES work_unit (id),
    job_id           bigint           NOT NULL REFERENCES job (id),
    app              text             NOT NULL,
    priority         integer          NOT NULL,
    state            text             NOT NULL DEFAULT 'UNSENT'
                     CHECK (state IN ('UNSENT', 'IN_PROGRESS', 'REPORTED', 'ERROR', 'TIMED_OUT',
                                      'VALID', 'INVALID', 'INCONCLUSIVE', 'CANCELLED')),
    -- no foreign key (V7); NULL while unsent
    host_id          bigint,
    created_at       timestamptz      NOT NULL,
    sent_at          timestamptz,
    -- heartbeats extend the lease, never past the report deadline
    lease_expires_at timestamptz,
    deadline_at      timestamptz,
    reported_at      timestamptz,
    progress         double precision,
    -- kept only by the canonical replica (and by successes not judged yet); hashes stay
    output           bytea,
    output_hash      text,
    output_size      bigint,
    error_message    text,
    cpu_time_millis  bigint,
    credit           double precision,
    -- its work unit reads blobs: dispatch looks up blobs and holders only for such candidates
    reads_blobs      boolean          NOT NULL DEFAULT false,
    -- its worker holds it paused (outside the volunteer's compute hours); only meaningful while IN_PROGRESS
    suspended        boolean          NOT NULL DEFAULT false,
    -- the host's volunteer, written by the claim when replicas go to distinct volunteers
    volunteer_id     bigint,
    -- sent to a quarantined host or to a new volunteer's (probation): it counts toward a quorum only in a group
    -- with a host in good standing
    quarantined      boolean          NOT NULL DEFAULT false,
    -- its place in the dispatch queue: the order of writing plus a random part of up to 4096 places, so that a
    -- work unit's replicas are not side by side (back-to-back requests would get them all)
    slot             bigint           DEFAULT nextval('result_slot') + floor(random() * 4096)::bigint,
    -- the network of the host it was sent to: the claim gives no other host of that network a replica of its
    -- work unit
    network          text,
    -- sent alone to a host trusted for the app (adaptive replication): its success is a quorum by itself
    alone            boolean          NOT NULL DEFAULT false,
    -- a spot check: a validated work unit given out again; a result that disagrees with the canonical output
    -- convicts its host
    spot_check       boolean          NOT NULL DEFAULT false,
    -- its job's researcher (0: a job of the admin's), the dispatch queue it waits in; written when the replica is
    -- created (V73 wrote it for replicas then unsent or in progress only: decided ones of older jobs hold 0)
    researcher_id    bigint           NOT NULL
);
-- the dispatch claim walks one researcher's part of this, best priority first, then by slot; the fair share's
-- refresh skips through it for the researchers with work waiting
CREATE INDEX result_unsent_researcher ON result (researcher_id, priority DESC, slot) WHERE state = 'UNSENT';
-- the lease sweeper's work list
CREATE INDEX result_lease ON result (lease_expires_at) WHERE state = 'IN_PROGRESS';
CREATE INDEX result_job ON result (job_id);
-- "never two replicas of one work unit to one host", enforced by the database as well as by the claim's anti-join,
-- which reads a work unit's few replicas through it; it serves every "replicas of this work unit" lookup too
CREATE UNIQUE INDEX result_wu_host ON result (work_unit_id, host_id);
-- the same for volunteers (starling.dispatch.distinct=volunteers); NULLs never collide
CREATE UNIQUE INDEX result_wu_volunteer ON result (work_unit_id, volunteer_id) WHERE volunteer_id IS NOT NULL;
-- the dashboard's recent failures and disagreements, and work units waiting for a tie-breaker
CREATE INDEX result_failures ON result (job_id, (coalesce(reported_at, lease_expires_at)))
    WHERE state IN ('ERROR', 'TIMED_OUT');
CREATE INDEX result_disagreements ON result (reported_at) WHERE state IN ('INVALID', 'INCONCLUSIVE');
CREATE INDEX result_inconclusive ON result (work_unit_id) WHERE state = 'INCONCLUSIVE';
-- the re-checker's: a doubted host's alone results
CREATE INDEX result_alone_valid ON result (host_id, app, reported_at) WHERE alone AND state = 'VALID';

-- ---------------------------------------------------------------------------------------------------------------
-- Tallies: validation appends (an insert waits for nobody) instead of updating rows every report would queue on;
-- sweepers fold them in batches, and readers add what is not folded yet, so counts are exact at every moment.

-- Judgements not yet added to their host's counters and rolling counts (HostTallies folds them into host).
CREATE TABLE host_tally (
    -- no foreign key (V7)
    host_id   bigint           NOT NULL,
    valid     integer          NOT NULL DEFAULT 0,
    invalid   integer          NOT NULL DEFAULT 0,
    errors    integer          NOT NULL DEFAULT 0,
    timed_out integer          NOT NULL DEFAULT 0,
    credit    double precision NOT NULL DEFAULT 0
);
CREATE INDEX host_tally_host ON host_tally (host_id);

-- What happened to each job, minute by minute (UTC): work units decided and results judged. The dashboard's
-- charts and progress bars read these few rows instead of counting a job's work units or replicas.
CREATE TABLE job_activity (
    job_id    bigint      NOT NULL,
    stage     integer     NOT NULL,
    minute    timestamptz NOT NULL,
    validated bigint      NOT NULL DEFAULT 0,  -- work units validated
    failed    bigint      NOT NULL DEFAULT 0,  -- work units failed
    valid     bigint      NOT NULL DEFAULT 0,  -- results judged valid (late ones too)
    invalid   bigint      NOT NULL DEFAULT 0,  -- results outvoted by the quorum
    errors    bigint      NOT NULL DEFAULT 0,  -- results reported as errors
    timed_out bigint      NOT NULL DEFAULT 0,  -- results whose lease ran out
    PRIMARY KEY (job_id, stage, minute)
);
-- the overview charts: every job's activity over the last hour(s)
CREATE INDEX job_activity_minute ON job_activity (minute);

-- Activity appended by validation transactions, not yet folded into job_activity (ActivityTallies).
CREATE TABLE job_activity_tally (
    job_id    bigint      NOT NULL,
    stage     integer     NOT NULL,
    minute    timestamptz NOT NULL,
    validated integer     NOT NULL DEFAULT 0,
    failed    integer     NOT NULL DEFAULT 0,
    valid     integer     NOT NULL DEFAULT 0,
    invalid   integer     NOT NULL DEFAULT 0,
    errors    integer     NOT NULL DEFAULT 0,
    timed_out integer     NOT NULL DEFAULT 0
);

-- A job's work units by state, so that a job's view reads a few rows instead of counting its work units. The
-- triggers on work_unit append each statement's net change per job and state to job_work_unit_tally (an insert
-- waits for nobody); JobCountTallies folds those rows into job_work_unit_count; readers add both.
CREATE TABLE job_work_unit_count (
    job_id bigint NOT NULL,
    state  text   NOT NULL,
    n      bigint NOT NULL,
    PRIMARY KEY (job_id, state)
);

CREATE TABLE job_work_unit_tally (
    job_id bigint  NOT NULL,
    state  text    NOT NULL,
    n      integer NOT NULL
);
CREATE INDEX job_work_unit_tally_job ON job_work_unit_tally (job_id);

-- One function for the three triggers (PostgreSQL allows transition tables on one event per trigger, and on no
-- column list: recheck_hash's updates fire it too, and add nothing, since the states they see do not change).
-- (the body in quotes, not dollar quotes: SchemaTest runs this file through a splitter that knows only quotes)
CREATE FUNCTION job_work_unit_tally() RETURNS trigger LANGUAGE plpgsql AS '
BEGIN
    IF TG_OP = ''INSERT'' THEN
        INSERT INTO job_work_unit_tally (job_id, state, n)
        SELECT job_id, state, count(*) FROM new_rows GROUP BY job_id, state;
    ELSIF TG_OP = ''DELETE'' THEN
        INSERT INTO job_work_unit_tally (job_id, state, n)
        SELECT job_id, state, -count(*) FROM old_rows GROUP BY job_id, state;
    ELSE
        INSERT INTO job_work_unit_tally (job_id, state, n)
        SELECT job_id, state, sum(n)
          FROM (SELECT job_id, state, 1 AS n FROM new_rows
                UNION ALL
                SELECT job_id, state, -1 FROM old_rows) c
         GROUP BY job_id, state
        HAVING sum(n) <> 0;
    END IF;
    RETURN NULL;
END
';

CREATE TRIGGER work_unit_counted_insert AFTER INSERT ON work_unit
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION job_work_unit_tally();
CREATE TRIGGER work_unit_counted_update AFTER UPDATE ON work_unit
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION job_work_unit_tally();
CREATE TRIGGER work_unit_counted_delete AFTER DELETE ON work_unit
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION job_work_unit_tally();

-- ---------------------------------------------------------------------------------------------------------------
-- Blobs and the peer-to-peer data plane's metadata: who holds what, what travelled, and the key that signs fetch
-- tokens. The bytes themselves live in the blob store (files) and on the workers.

-- Blobs uploaded to the coordinator (POST /api/v1/blobs). A row is written only once the bytes are complete and
-- durable in the blob store, so a row means "servable".
CREATE TABLE blob (
    -- content address, "sha256:<hex>": the Merkle root over 1 MiB chunks (dev.starling.sdk.ContentAddress)
    id          text PRIMARY KEY,
    size        bigint      NOT NULL CHECK (size >= 0),
    -- SHA-256 of each 1 MiB chunk, in order, 32 bytes each (one leaf for empty content)
    leaf_hashes bytea       NOT NULL CHECK (length(leaf_hashes) > 0 AND length(leaf_hashes) % 32 = 0),
    created_at  timestamptz NOT NULL
);
ALTER TABLE job ADD CONSTRAINT job_archive_blob_fkey FOREIGN KEY (archive_blob) REFERENCES blob (id);

-- Which researchers uploaded a blob (the same bytes may come from several): a researcher reads and uses only blobs
-- they uploaded. The admin's uploads are not recorded; the admin sees every blob.
CREATE TABLE blob_upload (
    blob_id       text   NOT NULL REFERENCES blob (id),
    researcher_id bigint NOT NULL REFERENCES researcher (id),
    PRIMARY KEY (blob_id, researcher_id)
);
-- what a researcher stores, for their quota (ResearcherQuotas)
CREATE INDEX blob_upload_researcher ON blob_upload (researcher_id);

-- The tracker: hosts that hold a blob in full (announced, or the canonical producers of an intermediate blob), or
-- are fetching it now (complete = false: they got a task that reads it, and serve what they verified).
CREATE TABLE blob_holder (
    blob_id  text        NOT NULL,
    host_id  bigint      NOT NULL,
    complete boolean     NOT NULL,
    since    timestamptz NOT NULL,
    PRIMARY KEY (blob_id, host_id)
);
CREATE INDEX blob_holder_host ON blob_holder (host_id);

-- Blobs a task stored on its worker (TaskContext.storeBlob), as its report listed them. Once the work unit is
-- validated, the canonical result's rows name the blobs it produced (lineage: which work unit re-creates a lost
-- blob), and the hosts whose output hash equals the canonical one hold them.
CREATE TABLE result_blob (
    result_id    bigint NOT NULL,
    work_unit_id bigint NOT NULL,
    blob_id      text   NOT NULL,
    size         bigint NOT NULL,
    PRIMARY KEY (result_id, blob_id)
);
CREATE INDEX result_blob_blob ON result_blob (blob_id);

-- Bytes moved for a job's tasks, appended as they are counted (the coordinator's own, and what workers report
-- they got from peers); the job view sums them.
CREATE TABLE job_transfer (
    job_id           bigint NOT NULL,
    from_coordinator bigint NOT NULL DEFAULT 0,
    from_peers       bigint NOT NULL DEFAULT 0
);
CREATE INDEX job_transfer_job ON job_transfer (job_id);

-- Workers' reports of peers that served data failing verification. Reports can be forged, so one counts only from
-- a host the tracker offered the accused (peer_offer), and a host is banned from serving only when hosts of enough
-- distinct volunteers agree. kind: what the bytes prove; NULL on complaints from before offers were checked (kept on
-- record, never counted).
CREATE TABLE peer_complaint (
    accused_host_id  bigint      NOT NULL,
    reporter_host_id bigint      NOT NULL,
    blob_id          text        NOT NULL,
    chunk            integer     NOT NULL,
    reason           text        NOT NULL,
    at               timestamptz NOT NULL,
    kind             text        CHECK (kind IN ('BAD_CHUNK', 'BAD_MANIFEST')),
    PRIMARY KEY (accused_host_id, reporter_host_id, blob_id, chunk)
);

-- Whom the tracker offered each host as a peer for each blob (with a task's inputs, or as the coordinator's seeds),
-- kept for starling.peers.complaint-window. One row per host and blob.
CREATE TABLE peer_offer (
    host_id    bigint      NOT NULL,
    blob_id    text        NOT NULL,
    peers      bigint[]    NOT NULL,
    offered_at timestamptz NOT NULL,
    PRIMARY KEY (host_id, blob_id)
);
CREATE INDEX peer_offer_offered_at ON peer_offer (offered_at);

-- The Ed25519 key pair that signs fetch tokens: made by the first coordinator to start, shared by all.
CREATE TABLE grant_key (
    id          integer PRIMARY KEY CHECK (id = 1),
    private_key bytea       NOT NULL,
    public_key  bytea       NOT NULL,
    created_at  timestamptz NOT NULL
);

-- ---------------------------------------------------------------------------------------------------------------
-- Deployed (WebAssembly) apps: researchers' own code, run only on workers, in their sandbox. Jobs name the version
-- they were pinned to at submit, "name@version", in job.app and result.app (a built-in app: its name alone).

-- A deployed app's name belongs to whoever deployed under it first (a researcher; NULL: the admin); only they and
-- the admin deploy its versions; they, the admin and, once the owner shares it, every researcher run them.
CREATE TABLE app_name (
    name          text        PRIMARY KEY,
    researcher_id bigint      REFERENCES researcher (id),
    shared        boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL
);

-- An immutable version: its module is a blob (travels to workers over the data plane), its manifest as checked at
-- deploy with defaults filled in.
CREATE TABLE app_version (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             text        NOT NULL REFERENCES app_name (name),
    version          text        NOT NULL,
    module_blob      text        NOT NULL REFERENCES blob (id),
    module_size      bigint      NOT NULL,
    manifest         jsonb       NOT NULL,
    -- the manifest's limits.memoryMiB: dispatch gives its tasks only to hosts offering that much to WebAssembly
    memory_mib       integer     NOT NULL CHECK (memory_mib > 0),
    -- VersionState. ENABLED: takes jobs; DISABLED (the admin): its jobs run on, no new ones; REVOKED (the admin, for
    -- good): its jobs are cancelled and workers drop its tasks
    state            text        NOT NULL DEFAULT 'ENABLED' CHECK (state IN ('ENABLED', 'DISABLED', 'REVOKED')),
    state_reason     text,
    state_changed_at timestamptz,
    created_at       timestamptz NOT NULL,
    -- the project's signature (protobuf AppSignature, wasm.proto), sent to workers with each task; NULL: deployed
    -- unsigned (no project key configured then)
    signature        bytea,
    UNIQUE (name, version)
);

-- The line index of a blob of work units (a deployed app's params.workUnitsBlob), made when the first job names it:
-- every line checked then, and the offsets of its work-unit lines (12 bytes a line: start, 8 bytes, and length, 4,
-- big-endian) kept in a blob of their own, so the splitter reads any work unit by index, after a crash too.
CREATE TABLE work_units_index (
    blob_id    text        PRIMARY KEY REFERENCES blob (id),
    index_blob text        NOT NULL REFERENCES blob (id),
    lines      bigint      NOT NULL CHECK (lines >= 1),
    created_at timestamptz NOT NULL
);

-- ---------------------------------------------------------------------------------------------------------------
-- Retention (V70): blobs a job not yet purged read or kept (the blob collector leaves them), and blobs hosts are to
-- drop from their caches, told at their next RequestWork or Heartbeat.
CREATE TABLE job_blob (
    job_id  bigint NOT NULL,
    blob_id text   NOT NULL,
    PRIMARY KEY (job_id, blob_id)
);
CREATE INDEX job_blob_blob ON job_blob (blob_id);

CREATE TABLE blob_drop (
    host_id bigint      NOT NULL,
    blob_id text        NOT NULL,
    since   timestamptz NOT NULL,
    PRIMARY KEY (host_id, blob_id)
);
