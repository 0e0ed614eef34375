package dev.starling.worker.config;

import dev.starling.worker.peer.transfer.FetchTuning;
import java.time.Duration;
import java.util.Objects;

/**
 * Timings and limits of the worker's machinery, not for volunteers to choose. {@link #defaults()} is what a volunteer's
 * worker uses; tests shorten the timings through {@link #builder()}.
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

    private static final int MIB = 1 << 20;

    public Tuning {
        Objects.requireNonNull(backoffInitial, "backoffInitial");
        Objects.requireNonNull(backoffMax, "backoffMax");
        Objects.requireNonNull(callTimeout, "callTimeout");
        Objects.requireNonNull(pollDeadlineMargin, "pollDeadlineMargin");
        Objects.requireNonNull(minPollInterval, "minPollInterval");
        Objects.requireNonNull(defaultHeartbeatInterval, "defaultHeartbeatInterval");
        Objects.requireNonNull(reportFlushTimeout, "reportFlushTimeout");
        Objects.requireNonNull(channelCloseTimeout, "channelCloseTimeout");
        Objects.requireNonNull(summaryInterval, "summaryInterval");
        Objects.requireNonNull(fetch, "fetch");
        Objects.requireNonNull(controlInterval, "controlInterval");
        if (reportBatchSize < 1 || reportBatchBytes < 1 || maxOutputBytes < 0 || maxInboundMessageBytes < 1) {
            throw new IllegalArgumentException("batch sizes and message limits must be positive");
        }
    }

    /** What a volunteer's worker uses. */
    public static Tuning defaults() {
        return builder().build();
    }

    /** Starts from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts from these timings. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.backoffInitial = backoffInitial;
        b.backoffMax = backoffMax;
        b.callTimeout = callTimeout;
        b.pollDeadlineMargin = pollDeadlineMargin;
        b.minPollInterval = minPollInterval;
        b.defaultHeartbeatInterval = defaultHeartbeatInterval;
        b.reportBatchSize = reportBatchSize;
        b.reportBatchBytes = reportBatchBytes;
        b.reportFlushTimeout = reportFlushTimeout;
        b.channelCloseTimeout = channelCloseTimeout;
        b.maxOutputBytes = maxOutputBytes;
        b.maxInboundMessageBytes = maxInboundMessageBytes;
        b.summaryInterval = summaryInterval;
        b.fetch = fetch;
        b.controlInterval = controlInterval;
        return b;
    }

    /** Timings, from the defaults up. */
    public static final class Builder {
        private Duration backoffInitial = Duration.ofMillis(250);
        private Duration backoffMax = Duration.ofSeconds(30);
        private Duration callTimeout = Duration.ofSeconds(30);
        private Duration pollDeadlineMargin = Duration.ofSeconds(15);
        private Duration minPollInterval = Duration.ofSeconds(1);
        private Duration defaultHeartbeatInterval = Duration.ofSeconds(30);
        private int reportBatchSize = 200;
        private int reportBatchBytes = 12 * MIB;
        private Duration reportFlushTimeout = Duration.ofSeconds(10);
        private Duration channelCloseTimeout = Duration.ofSeconds(5);
        private int maxOutputBytes = 8 * MIB;
        private int maxInboundMessageBytes = 16 * MIB;
        private Duration summaryInterval = Duration.ofMinutes(10);
        private FetchTuning fetch = FetchTuning.defaults();
        private Duration controlInterval = Duration.ofSeconds(1);

        private Builder() {}

        /** The longest first pause after a failure, and the most a pause grows to. */
        public Builder backoff(Duration initial, Duration max) {
            backoffInitial = initial;
            backoffMax = max;
            return this;
        }

        public Builder callTimeout(Duration value) {
            callTimeout = value;
            return this;
        }

        public Builder pollDeadlineMargin(Duration value) {
            pollDeadlineMargin = value;
            return this;
        }

        public Builder minPollInterval(Duration value) {
            minPollInterval = value;
            return this;
        }

        public Builder defaultHeartbeatInterval(Duration value) {
            defaultHeartbeatInterval = value;
            return this;
        }

        public Builder reportBatchSize(int value) {
            reportBatchSize = value;
            return this;
        }

        public Builder reportBatchBytes(int value) {
            reportBatchBytes = value;
            return this;
        }

        public Builder reportFlushTimeout(Duration value) {
            reportFlushTimeout = value;
            return this;
        }

        public Builder channelCloseTimeout(Duration value) {
            channelCloseTimeout = value;
            return this;
        }

        public Builder maxOutputBytes(int value) {
            maxOutputBytes = value;
            return this;
        }

        public Builder maxInboundMessageBytes(int value) {
            maxInboundMessageBytes = value;
            return this;
        }

        public Builder summaryInterval(Duration value) {
            summaryInterval = value;
            return this;
        }

        public Builder fetch(FetchTuning value) {
            fetch = value;
            return this;
        }

        public Builder controlInterval(Duration value) {
            controlInterval = value;
            return this;
        }

        public Tuning build() {
            return new Tuning(backoffInitial, backoffMax, callTimeout, pollDeadlineMargin, minPollInterval,
                    defaultHeartbeatInterval, reportBatchSize, reportBatchBytes, reportFlushTimeout, channelCloseTimeout,
                    maxOutputBytes, maxInboundMessageBytes, summaryInterval, fetch, controlInterval);
        }
    }
}
