package dev.starling.worker.session;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one loop reacts to a failed call, so that every loop reacts alike: an old protocol or a refusal (bad
 * account key, banned host) stops the worker, an unknown host registers again, anything else is retried after a backoff (see docs/protocol.md). An
 * outage is logged once when it starts and once when it ends; a malformed request (a bug) every time;
 * failures while the loop is stopping are expected and logged quietly.
 */
public final class CallFailures {
    private static final Logger log = LoggerFactory.getLogger(CallFailures.class);

    /** What the loop does next. */
    public enum Next {
        /** call again at once (the host registered again) */
        RETRY,
        /** pause for the next backoff, then call again */
        BACK_OFF,
        /** leave the loop */
        STOP
    }

    private final String what;
    private final Session session;
    private final Lifecycle lifecycle;
    private final BooleanSupplier stopping;
    private boolean failing;

    /**
     * @param what the loop's job, as log lines name it (for example "Reporting results")
     * @param stopping whether the loop was asked to stop (then failures are expected)
     */
    public CallFailures(String what, Session session, Lifecycle lifecycle, BooleanSupplier stopping) {
        this.what = what;
        this.session = session;
        this.lifecycle = lifecycle;
        this.stopping = stopping;
    }

    public void succeeded() {
        session.contact().answered();
        if (failing) {
            log.info("{}: the coordinator answers again", what);
            failing = false;
        }
    }

    public Next failed(RuntimeException failure) {
        if (stopping.getAsBoolean() || Thread.currentThread().isInterrupted()) {
            log.debug("{} stopped: {}", what, failure.toString());
            return Next.STOP;
        }
        if (failure instanceof ProtocolTooOldException tooOld) {
            log.error("The coordinator refuses this worker's protocol version {}: {}",
                    ProtocolInterceptor.PROTOCOL_VERSION, tooOld.getMessage());
            lifecycle.fail(tooOld);
            return Next.STOP;
        }
        if (failure instanceof RefusedException refused) {
            log.error("The coordinator refuses this worker: {}", refused.getMessage());
            lifecycle.fail(refused);
            return Next.STOP;
        }
        if (failure instanceof HostUnknownException unknown) {
            try {
                session.renew(unknown.identity());
                return Next.RETRY;
            } catch (HostUnknownException again) {
                return unexpected(again);
            } catch (RuntimeException e) {
                return failed(e);
            }
        }
        if (failure instanceof StatusRuntimeException e) {
            String hint = hint(e, session.contact().lastAnswer().isPresent());
            session.contact().failed(describe(e) + hint);
            if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                log.error("{} was refused as malformed, which is a bug in the worker or the coordinator: {}; "
                        + "retrying with backoff", what, describe(e));
                failing = true;
                return Next.BACK_OFF;
            }
            if (!failing) {
                log.warn("{} failed: {}; retrying with backoff{}", what, describe(e), hint);
                failing = true;
            } else {
                log.debug("{} failed again: {}", what, describe(e));
            }
            return Next.BACK_OFF;
        }
        return unexpected(failure);
    }

    private Next unexpected(RuntimeException failure) {
        log.error("{} failed unexpectedly; retrying with backoff", what, failure);
        failing = true;
        return Next.BACK_OFF;
    }

    /**
     * A likely cause a volunteer can check, for statuses that usually mean a wrong address or certificate; once the
     * coordinator has answered this worker, the address is right and it is more likely down for a while.
     */
    static String hint(StatusRuntimeException e, boolean answeredBefore) {
        for (Throwable t = e.getStatus().getCause(); t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return " (the TLS handshake failed: check --coordinator-ca, that the certificate names the host in"
                        + " --coordinator (one for localhost does not cover 127.0.0.1), or whether the coordinator"
                        + " speaks TLS at all)";
            }
            if (t instanceof java.net.UnknownHostException) {
                return " (the host name in --coordinator does not resolve: check its spelling and this machine's network)";
            }
        }
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.UNAVAILABLE || code == Status.Code.INTERNAL || code == Status.Code.UNKNOWN) {
            return answeredBefore ? " (it answered before: it is probably restarting or out of reach for a while)"
                    : " (check that --coordinator names the coordinator's gRPC port, 9090 by default, not its HTTP"
                            + " port, and whether it needs --tls)";
        }
        return "";
    }

    /**
     * The status, its description and the cause's message (for example why a connection was refused), each cut at
     * its first line (Netty adds its channel pipeline on a second).
     */
    static String describe(StatusRuntimeException e) {
        Status status = e.getStatus();
        StringBuilder text = new StringBuilder(status.getCode().toString());
        if (status.getDescription() != null) {
            text.append(" (").append(firstLine(status.getDescription()));
            if (status.getCause() != null && status.getCause().getMessage() != null) {
                text.append(": ").append(firstLine(status.getCause().getMessage()));
            }
            text.append(')');
        }
        return text.toString();
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return end < 0 ? text : text.substring(0, end);
    }
}
