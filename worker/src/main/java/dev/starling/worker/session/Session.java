package dev.starling.worker.session;

import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.RegisterResponse;
import dev.starling.worker.config.HostPort;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's standing with the coordinator: its identity and what the coordinator granted at
 * registration (heartbeat interval, longest poll). Registers once at start, coming back as the stored
 * host when there is one, and again as a new host when the coordinator forgets this one. Whoever must know
 * of each registration (the fetch-token check, the tracker's announcements) hears of it.
 */
public final class Session {
    private static final Logger log = LoggerFactory.getLogger(Session.class);

    private record Registration(HostIdentity identity, RegisterResponse response) {}

    private final CoordinatorClient client;
    private final IdentityStore store;
    private final HostPort coordinator;
    private final RegisterRequest host;
    private final Duration defaultHeartbeatInterval;
    private final Consumer<RegisterResponse> onRegistered;
    private final Contact contact;
    private volatile Registration current;

    /** @param onRegistered hears every successful registration, once calls are made as the new identity */
    public Session(CoordinatorClient client, IdentityStore store, HostPort coordinator, RegisterRequest host,
            Duration defaultHeartbeatInterval, Consumer<RegisterResponse> onRegistered, Contact contact) {
        this.contact = contact;
        this.client = client;
        this.store = store;
        this.coordinator = coordinator;
        this.host = host;
        this.defaultHeartbeatInterval = defaultHeartbeatInterval;
        this.onRegistered = onRegistered;
    }

    /**
     * Registers, as the stored host when {@code host.properties} holds one for this coordinator.
     *
     * @throws ProtocolTooOldException when the coordinator refuses this protocol version
     * @throws RefusedException when the coordinator refuses the account key or the host
     * @throws io.grpc.StatusRuntimeException when the coordinator cannot be reached (retry)
     */
    public synchronized void register() {
        Optional<HostIdentity> stored = store.load(coordinator);
        RegisterResponse response;
        if (stored.isPresent()) {
            // a stored identity the coordinator does not know (any more) gets a new host in answer
            response = client.register(host.toBuilder()
                    .setHostId(stored.get().hostId())
                    .setHostToken(stored.get().token())
                    .build());
        } else {
            response = client.register(host);
        }
        accept(response, stored.orElse(null));
    }

    /**
     * Registers again because the coordinator refused {@code rejected}; does nothing when another thread already did
     * so since {@code rejected} was used. A host whose token the project revoked comes back as itself, with a new
     * token (the account key proves it is the volunteer's); a host the coordinator does not know becomes a new one,
     * and results of the old host that are still waiting to be reported will be refused and dropped.
     */
    synchronized void renew(HostIdentity rejected) {
        Registration now = current;
        if (now != null && !now.identity().equals(rejected)) {
            return;
        }
        log.warn("The coordinator refused the token of {}; registering again", rejected);
        accept(client.register(host.toBuilder().setHostId(rejected.hostId()).setHostToken(rejected.token()).build()),
                rejected);
    }

    /**
     * Replaces the token, as the coordinator asked in an answer to a call made as {@code asked}: takes a new one,
     * stores it (atomically, so that a crash leaves the old one, which still works, or the new one) and only then
     * uses it. Does nothing when the token changed since {@code asked} was used; a failure is logged, and the next
     * answer asks again.
     */
    synchronized void rotate(HostIdentity asked) {
        Registration now = current;
        if (now == null || !now.identity().equals(asked)) {
            return;
        }
        HostIdentity rotated;
        try {
            String token = client.rotateToken(asked);
            if (!token.startsWith(asked.hostId() + ".")) {
                throw new IllegalStateException("the coordinator's answer holds no token of this host");
            }
            rotated = new HostIdentity(asked.hostId(), token);
            store.save(coordinator, rotated);
        } catch (RuntimeException e) {
            log.warn("Could not replace the host token as the coordinator asked ({}); the old one works until then, "
                    + "and the next answer asks again", e.getMessage());
            return;
        }
        current = new Registration(rotated, now.response());
        log.info("Replaced the token of {} as the coordinator asked", rotated);
    }

    private void accept(RegisterResponse response, HostIdentity previous) {
        if (response.getHostToken().isEmpty()) {
            throw new IllegalStateException("the coordinator's Register answer holds no host token");
        }
        HostIdentity identity = new HostIdentity(response.getHostId(), response.getHostToken());
        if (!identity.equals(previous)) {
            store.save(coordinator, identity);
        }
        current = new Registration(identity, response);
        contact.answered();
        contact.credit(response.getHostCredit());
        contact.update(response.getUpdateNotice());
        if (!response.getUpdateNotice().isBlank()) {
            log.warn("The coordinator says: {}", response.getUpdateNotice());
        }
        onRegistered.accept(response);
        if (previous == null) {
            log.info("Registered as host {} (heartbeat every {} ms, polls wait up to {} ms)",
                    identity.hostId(), heartbeatInterval().toMillis(), maxWaitMillis());
        } else if (previous.hostId() == identity.hostId()) {
            log.info("Registered again as host {}", identity.hostId());
        } else {
            log.info("Registered as host {} (the coordinator did not know {})", identity.hostId(), previous);
        }
    }

    /** What the worker last heard from the coordinator. */
    Contact contact() {
        return contact;
    }

    /** Whether this host registered with this coordinator before (its identity is stored), at an earlier start. */
    public boolean registeredBefore() {
        return store.load(coordinator).isPresent();
    }

    public boolean isRegistered() {
        return current != null;
    }

    public HostIdentity identity() {
        Registration r = current;
        if (r == null) {
            throw new IllegalStateException("not registered yet");
        }
        return r.identity();
    }

    Duration heartbeatInterval() {
        int millis = current.response().getHeartbeatIntervalMillis();
        return millis > 0 ? Duration.ofMillis(millis) : defaultHeartbeatInterval;
    }

    /** The longest a RequestWork may wait, as the coordinator granted it. */
    int maxWaitMillis() {
        return Math.max(0, current.response().getMaxWaitMillis());
    }
}
