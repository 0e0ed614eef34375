package dev.starling.worker.config;

import dev.starling.worker.peer.transfer.FetchTuning;
import java.time.Duration;

/**
 * Timings and limits of the worker's machinery. {@link #defaults()} is what a volunteer's worker uses;
 * tests shorten the timings.
 *
 * @param backoffInitial the longest first pause after a failed call (full jitter: the pause is random below it)
 * @param backoffMax the cap of the pause, reached by doubling; also the pause after a RequestWork answer whose
 *     every task the worker gave back (they would miss their deadlines here), so that it is not sent them again
 *     and again
 * @param callTimeout the deadline of every call but RequestWork
 * @param pollDeadlineMargin added to a RequestWork's wait to make its deadline
 * @param minPollInterval an empty RequestWork answer that came back sooner than this is followed by a pause
 *     of the rest, so that a server granting no wait does not make the worker spin
 * @param defaultHeartbeatInterval used when the coordinator names no heartbeat interval
 * @param reportBatchSize the most results one ReportResults carries
 * @param reportBatchBytes the most output bytes one ReportResults carries (at least one result always goes)
 * @param reportFlushTimeout how long a stopping worker tries to report what it holds
 * @param channelCloseTimeout how long a stopping worker waits for its calls to end before it cuts them
 * @param maxOutputBytes the largest output a task may write (sent inline); a larger one is a compute error
 * @param maxInboundMessageBytes the largest message accepted from the coordinator
 * @param summaryInterval how often a summary line is logged (only when something changed)
 * @param fetch timings and limits of fetching blobs
 * @param controlInterval how often the machine is looked at to suspend or resume tasks (idle, hours, memory)
 */
public record Tuning(
        Duration backoffInitial,
        Duration backoffMax,
        Duration callTimeout,
        Duration pollDeadlineMargin,
        Duration minPollInterval,
        Duration defaultHeartbeatInterval,
        int reportBatchSize,
        int reportBatchBytes,
        Duration reportFlushTimeout,
        Duration channelCloseTimeout,
        int maxOutputBytes,
        int maxInboundMessageBytes,
        Duration summaryInterval,
        FetchTuning fetch,
        Duration controlInterval) {

    public static final int MIB = 1 << 20;

    public static Tuning defaults() {
        return new Tuning(
                Duration.ofMillis(250),
                Duration.ofSeconds(30),
                Duration.ofSeconds(30),
                Duration.ofSeconds(15),
                Duration.ofSeconds(1),
                Duration.ofSeconds(30),
                200,
                12 * MIB,
                Duration.ofSeconds(10),
                Duration.ofSeconds(5),
                8 * MIB,
                16 * MIB,
                Duration.ofMinutes(10),
                FetchTuning.defaults(),
                Duration.ofSeconds(1));
    }

    public Tuning withBackoff(Duration initial, Duration max) {
        return new Tuning(initial, max, callTimeout, pollDeadlineMargin, minPollInterval,
                defaultHeartbeatInterval, reportBatchSize, reportBatchBytes, reportFlushTimeout, channelCloseTimeout,
                maxOutputBytes, maxInboundMessageBytes, summaryInterval, fetch, controlInterval);
    }

    public Tuning withMaxOutputBytes(int bytes) {
        return new Tuning(backoffInitial, backoffMax, callTimeout, pollDeadlineMargin, minPollInterval,
                defaultHeartbeatInterval, reportBatchSize, reportBatchBytes, reportFlushTimeout, channelCloseTimeout,
                bytes, maxInboundMessageBytes, summaryInterval, fetch, controlInterval);
    }

    public Tuning withFetch(FetchTuning value) {
        return new Tuning(backoffInitial, backoffMax, callTimeout, pollDeadlineMargin, minPollInterval,
                defaultHeartbeatInterval, reportBatchSize, reportBatchBytes, reportFlushTimeout, channelCloseTimeout,
                maxOutputBytes, maxInboundMessageBytes, summaryInterval, value, controlInterval);
    }

    public Tuning withControlInterval(Duration value) {
        return new Tuning(backoffInitial, backoffMax, callTimeout, pollDeadlineMargin, minPollInterval,
                defaultHeartbeatInterval, reportBatchSize, reportBatchBytes, reportFlushTimeout, channelCloseTimeout,
                maxOutputBytes, maxInboundMessageBytes, summaryInterval, fetch, value);
    }
}
