package dev.starling.coordinator.researcher;

import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.NotFoundException;
import dev.starling.coordinator.web.QuotaExceededException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The admin's quotas and share of each researcher and what the researcher uses of the quotas. The share is a weight:
 * among the researchers with work waiting, dispatch serves each in proportion to its share (dispatch's
 * {@code FairShare}; 1 by default, from 1 to {@value #MAX_SHARE}). A check locks the researcher's row
 * until the caller's transaction ends, so that two calls of one researcher at once cannot both take the last of a
 * quota; what the call adds must be written in that same transaction.
 *
 * <ul>
 *   <li>{@code queuedWorkUnits}: the work units of the researcher's unfinished jobs (queued or running; a job's
 *       first stage counts whole until the job ends);
 *   <li>{@code runningJobs}: their unfinished jobs;
 *   <li>{@code storedBytes}: the bytes of the blobs they may read: uploads, deployed modules, and the output files
 *       and indexes kept for their jobs (those are never refused: a job in progress does not fail on a quota).
 * </ul>
 */
@Service
public class ResearcherQuotas {
    public static final int MAX_SHARE = 1_000_000;

    private final QuotaTable table;

    ResearcherQuotas(QuotaTable table) {
        this.table = table;
    }

    /** The limits; a null field has none. */
    public record Limits(Long queuedWorkUnits, Long runningJobs, Long storedBytes) {}

    /** What the researcher uses now. */
    public record Use(long queuedWorkUnits, long runningJobs, long storedBytes) {}

    public record View(int share, Limits limits, Use use) {}

    /** What the admin sets at once: the share (null: 1) and every limit (null: none). */
    public record Settings(Long share, Long queuedWorkUnits, Long runningJobs, Long storedBytes) {
        Limits limits() {
            return new Limits(queuedWorkUnits, runningJobs, storedBytes);
        }
    }

    @Transactional(readOnly = true)
    public View view(long researcherId) {
        QuotaTable.Unfinished unfinished = table.unfinished(researcherId);
        return new View(table.share(researcherId).orElseThrow(() -> notFound(researcherId)),
                limits(researcherId, false),
                new Use(unfinished.workUnits(), unfinished.jobs(), table.storedBytes(researcherId)));
    }

    /**
     * Sets the share and every limit; the researcher's present use may be above the limits (nothing is taken away),
     * and dispatch follows the new share within {@code starling.dispatch.fair-share-refresh} on every coordinator.
     */
    @Transactional
    public View set(long researcherId, Settings settings) {
        long share = settings.share() == null ? 1 : settings.share();
        if (share < 1 || share > MAX_SHARE) {
            throw new BadRequestException("share", "must be from 1 to " + MAX_SHARE + " (null: 1)");
        }
        Limits limits = settings.limits();
        nonNegative("queuedWorkUnits", limits.queuedWorkUnits());
        nonNegative("runningJobs", limits.runningJobs());
        nonNegative("storedBytes", limits.storedBytes());
        if (limits.runningJobs() != null && limits.runningJobs() > Integer.MAX_VALUE) {
            throw new BadRequestException("runningJobs", "is at most " + Integer.MAX_VALUE);
        }
        if (!table.set(researcherId, (int) share, limits)) {
            throw notFound(researcherId);
        }
        return view(researcherId);
    }

    /**
     * Checks that one more job of {@code workUnits} work units fits the researcher's quotas; call it in the
     * transaction that inserts the job.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void checkJob(long researcherId, long workUnits) {
        Limits limits = limits(researcherId, true);
        if (limits.runningJobs() == null && limits.queuedWorkUnits() == null) {
            return;
        }
        QuotaTable.Unfinished unfinished = table.unfinished(researcherId); // not what their blobs weigh
        long queued = unfinished.workUnits();
        long jobs = unfinished.jobs();
        if (limits.runningJobs() != null && jobs + 1 > limits.runningJobs()) {
            throw new QuotaExceededException("runningJobs", limits.runningJobs(), jobs, 1,
                    "this researcher may have " + limits.runningJobs() + " unfinished jobs and has "
                            + jobs + ": wait for one to finish, or cancel one");
        }
        if (limits.queuedWorkUnits() != null && queued + workUnits > limits.queuedWorkUnits()) {
            throw new QuotaExceededException("queuedWorkUnits", limits.queuedWorkUnits(), queued,
                    workUnits, "this researcher may have " + limits.queuedWorkUnits()
                            + " work units in unfinished jobs and has " + queued + "; this job has "
                            + workUnits);
        }
    }

    /**
     * Checks that the blob {@code blobId} of {@code size} bytes fits the researcher's stored-bytes quota (a blob
     * they have already counts once); call it in the transaction that records it as theirs.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public void checkStored(long researcherId, String blobId, long size) {
        Limits limits = limits(researcherId, true);
        if (limits.storedBytes() == null || table.has(researcherId, blobId)) {
            return;
        }
        long used = table.storedBytes(researcherId);
        if (used + size > limits.storedBytes()) {
            throw new QuotaExceededException("storedBytes", limits.storedBytes(), used, size,
                    "this researcher may store " + limits.storedBytes() + " bytes and stores " + used
                            + "; this blob has " + size);
        }
    }

    /**
     * Refuses, before its bytes are read, a blob of {@code size} bytes larger than the researcher's whole stored-bytes
     * quota (what they store already is checked once the blob is known: it may be one they have).
     */
    @Transactional(readOnly = true)
    public void checkFits(long researcherId, long size) {
        Long limit = limits(researcherId, false).storedBytes();
        if (limit != null && size > limit) {
            throw new QuotaExceededException("storedBytes", limit, table.storedBytes(researcherId), size,
                    "this researcher may store " + limit + " bytes in all; this blob has " + size);
        }
    }

    private Limits limits(long researcherId, boolean lock) {
        return table.limits(researcherId, lock).orElseThrow(() -> notFound(researcherId));
    }

    private static NotFoundException notFound(long researcherId) {
        return new NotFoundException("no researcher " + researcherId);
    }

    private static void nonNegative(String field, Long value) {
        if (value != null && value < 0) {
            throw new BadRequestException(field, "must be 0 or more, or null for no limit");
        }
    }
}
