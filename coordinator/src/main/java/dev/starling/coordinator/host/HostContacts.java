package dev.starling.coordinator.host;

import dev.starling.coordinator.support.Sweeper;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Remembers when each host was last heard from and writes it in one statement every few seconds (and
 * when the coordinator stops), instead of a row update per gRPC call. {@code last_contact_at} may therefore
 * lag by up to {@link #FLUSH_EVERY}; nothing decides on it at a finer grain.
 */
@Component
class HostContacts extends Sweeper {
    static final Duration FLUSH_EVERY = Duration.ofSeconds(5);

    private final HostTable hosts;
    private final ConcurrentHashMap<Long, Instant> pending = new ConcurrentHashMap<>();

    HostContacts(HostTable hosts) {
        super("host-contacts", FLUSH_EVERY);
        this.hosts = hosts;
    }

    void heard(long hostId, Instant at) {
        pending.merge(hostId, at, (a, b) -> a.isAfter(b) ? a : b);
    }

    @Override
    protected boolean step() {
        if (pending.isEmpty()) {
            return false;
        }
        Long[] ids = pending.keySet().stream().sorted().toArray(Long[]::new);
        Timestamp[] at = new Timestamp[ids.length];
        for (int i = 0; i < ids.length; i++) {
            // a contact noted after this read stays for the next flush
            at[i] = Timestamp.from(pending.remove(ids[i]));
        }
        hosts.touch(ids, at);
        return false;
    }

    @Override
    public void stop() {
        super.stop();
        step();
    }
}
