package dev.starling.coordinator.dispatch;

import dev.starling.coordinator.support.Text;
import dev.starling.proto.v1.RegisterRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * The bounds of the worker protocol, all in one place (docs/protocol.md lists them). A worker is a stranger's
 * program: {@link WorkerGrpcService} checks every request here before anything reads it, and a field out of its
 * bounds is INVALID_ARGUMENT naming the field; nothing of the request is stored.
 *
 * <p>Text: names a worker gives (host name, os, arch, worker version, apps, peer address) are refused when they hold a
 * control character (PostgreSQL refuses U+0000 in text, and the rest rewrites logs and terminals); free text that is
 * only shown (a failure message, a complaint's reason) is cleaned and cut instead ({@link #message}): a failure report
 * is worth more than a character in its message.
 */
final class WireLimits {
    /** a failure message or a complaint's reason: longer ones are cut, not refused */
    static final int MAX_MESSAGE = 2_000;

    private WireLimits() {}

    static void check(RegisterRequest r) {
        name("name", r.getName());
        name("os", r.getOs());
        name("arch", r.getArch());
        name("worker_version", r.getWorkerVersion());
        for (String app : r.getAppsList()) {
            name("apps", app);
        }
        name("peer_address", r.getPeerAddress());
    }

    /** A failure message or a complaint's reason, as it is stored and shown: cleaned of control characters, cut. */
    static String message(String text) {
        return text == null || text.isBlank() ? "(no message)" : Text.clean(text, MAX_MESSAGE);
    }

    private static void name(String field, String value) {
        int at = Text.firstControl(value);
        if (at >= 0) {
            throw invalid(field + " must not hold control characters; it has U+"
                    + String.format("%04X", (int) value.charAt(at)) + " at " + at);
        }
    }

    private static StatusRuntimeException invalid(String description) {
        return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
    }
}
