package dev.starling.coordinator.retention;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.blob.BlobService;
import dev.starling.coordinator.job.Job;
import dev.starling.coordinator.job.JobDeleted;
import dev.starling.coordinator.job.JobService;
import dev.starling.coordinator.job.JobTable;
import dev.starling.coordinator.support.Sweeper;
import dev.starling.coordinator.support.Transactions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * BOINC's db_purge: a job finished for {@code starling.retention.finished-jobs} (or deleted by its researcher) keeps
 * its counts on its row, its work units and replicas go to an archive blob, and then they are deleted a batch at a
 * time, each batch a short transaction that locks only its own work units. A job is leased to one coordinator while it
 * is purged; every step can be repeated, so a coordinator killed at any moment leaves work that the next lease
 * finishes: an archive written again is the same blob, a summary is kept once, a batch deleted is gone.
 */
@Component
class Purger extends Sweeper {
    private static final Logger log = LoggerFactory.getLogger(Purger.class);
    /** how long a lease keeps other coordinators off a job; renewed with every batch */
    static final Duration LEASE = Duration.ofMinutes(5);
    /** work units read per query while the archive is written */
    private static final int ARCHIVE_BATCH = 500;

    private final PurgeQueries queries;
    private final JobTable jobs;
    private final JobService jobService;
    private final BlobService blobs;
    private final Transactions transactions;
    private final JsonMapper json;
    private final Clock clock;
    private final StarlingProperties.Retention settings;

    Purger(PurgeQueries queries, JobTable jobs, JobService jobService, BlobService blobs, Transactions transactions,
            JsonMapper json, Clock clock, StarlingProperties properties) {
        super("purger", properties.retention().interval());
        this.queries = queries;
        this.jobs = jobs;
        this.jobService = jobService;
        this.blobs = blobs;
        this.transactions = transactions;
        this.json = json;
        this.clock = clock;
        this.settings = properties.retention();
    }

    @EventListener
    void deleted(JobDeleted deleted) {
        nudge();
    }

    /** Purges the next due job, start to end; false when no job is due. */
    @Override
    protected boolean step() {
        Instant now = clock.instant();
        Optional<PurgeQueries.Due> leased = queries.lease(now.minus(settings.finishedJobs()), now, now.plus(LEASE));
        if (leased.isEmpty()) {
            return false;
        }
        PurgeQueries.Due due = leased.get();
        if (!due.summarized()) {
            summarize(due);
        } else if (due.deleted()) {
            queries.dropArchive(due.id()); // archived before its researcher deleted it: the archive goes too
        }
        long workUnits = 0;
        while (isRunning()) {
            int deleted = transactions.retrying(() -> {
                List<Long> ids = queries.lockBatch(due.id(), settings.batchSize());
                if (ids.isEmpty()) {
                    queries.finish(due.id(), clock.instant());
                    return 0;
                }
                queries.dropOrphans(queries.deleteBatch(ids), clock.instant());
                return ids.size();
            });
            if (deleted == 0) {
                log.info("Job {} purged: {} work units{}", due.id(), workUnits,
                        due.deleted() ? " (deleted by request)" : ", archived");
                return true;
            }
            workUnits += deleted;
            queries.renew(due.id(), clock.instant().plus(LEASE));
        }
        return true;
    }

    /** Writes the archive (unless the job was deleted) and keeps the view's counts on the job's row. */
    private void summarize(PurgeQueries.Due due) {
        Job job = jobs.find(due.id()).orElseThrow();
        String archive = due.deleted() ? null : archive(job);
        String summary = json.writeValueAsString(jobService.summary(job.id()));
        if (queries.summarize(job.id(), summary, archive, clock.instant()) && archive != null) {
            log.info("Job {} archived as {}", job.id(), archive);
        }
    }

    /** The job's archive, written to a temporary file and stored as a blob its researcher may read. */
    private String archive(Job job) {
        Path temp = null;
        try {
            temp = Files.createTempFile("starling-archive-" + job.id() + "-", ".jsonl.gz");
            try (OutputStream out = new GZIPOutputStream(new BufferedOutputStream(Files.newOutputStream(temp)), 65536)) {
                JobArchive archive = new JobArchive(json, out);
                archive.job(job);
                int stage = -1;
                long index = -1;
                while (true) {
                    List<PurgeQueries.ArchivedWorkUnit> page = queries.workUnitsAfter(job.id(), stage, index,
                            ARCHIVE_BATCH);
                    if (page.isEmpty()) {
                        break;
                    }
                    Map<Long, List<PurgeQueries.ArchivedReplica>> byWorkUnit = new HashMap<>();
                    queries.replicasOf(page.stream().map(PurgeQueries.ArchivedWorkUnit::id).toList(),
                            r -> byWorkUnit.computeIfAbsent(r.workUnitId(), k -> new ArrayList<>()).add(r));
                    for (PurgeQueries.ArchivedWorkUnit w : page) {
                        archive.workUnit(w, byWorkUnit.getOrDefault(w.id(), List.of()));
                    }
                    PurgeQueries.ArchivedWorkUnit last = page.getLast();
                    stage = last.stage();
                    index = last.index();
                    queries.renew(job.id(), clock.instant().plus(LEASE));
                }
            }
            try (InputStream in = Files.newInputStream(temp)) {
                return blobs.keep(in, job.researcherId()).id();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing the archive of job " + job.id() + " failed", e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    log.warn("Cannot delete {}: {}", temp, e.toString());
                }
            }
        }
    }
}
