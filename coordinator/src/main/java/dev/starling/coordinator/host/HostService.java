package dev.starling.coordinator.host;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import dev.starling.coordinator.support.Admission;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.web.NotFoundException;
import dev.starling.coordinator.web.Page;
import dev.starling.coordinator.web.Paging;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Hosts and their tokens. A token is {@code <host id>.<secret>}; only SHA-256 of the secret is stored.
 *
 * <p>Every worker call is authenticated, so tokens that checked out are remembered for a minute (a
 * re-registration with other apps shows within that time) and contacts are recorded by {@link HostContacts}
 * in batches: a call costs no database round trip for its authentication.
 */
@Service
public class HostService {
    private static final Logger log = LoggerFactory.getLogger(HostService.class);
    public static final Duration REMEMBER_TOKENS = Duration.ofMinutes(1);
    /** how far a host's {@code last_contact_at} may lag behind its last call (contacts are written in batches) */
    public static final Duration CONTACT_LAG = HostContacts.FLUSH_EVERY;

    private final HostTable hosts;
    private final HostContacts contacts;
    private final Admission admission;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Cache<String, AuthenticatedHost> known =
            Caffeine.newBuilder().maximumSize(200_000).expireAfterWrite(REMEMBER_TOKENS).build();

    HostService(HostTable hosts, HostContacts contacts, Admission admission, Clock clock) {
        this.admission = admission;
        this.hosts = hosts;
        this.contacts = contacts;
        this.clock = clock;
    }

    /** A host id and its token. */
    public record Registration(long hostId, String token) {}

    /**
     * The host is banned, or its volunteer (or the volunteer whose key it sent): it may not register again (as itself
     * or as a new host).
     */
    public static final class BannedHostException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BannedHostException(String refusal) {
            super(refusal);
        }
    }

    /** The host's token was revoked, and it came back without the account key that would bring it back. */
    public static final class RevokedTokenException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RevokedTokenException(long hostId) {
            super("the token of host " + hostId + " was revoked by the project's admin: register again with the account"
                    + " key of its volunteer (--account-key) to go on as the same host");
        }
    }

    /** A host would belong to no volunteer, and this coordinator takes none such. */
    public static final class AnonymousHostException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        AnonymousHostException() {
            super("this coordinator takes hosts of volunteers only");
        }
    }

    /**
     * The credit the host has earned, as folded into its row (validations of the last few seconds may not be
     * in it yet): what its worker shows its volunteer.
     */
    public double credit(long hostId) {
        return hosts.credit(hostId);
    }

    /**
     * Registers a host. A returning worker that sends a valid id and token stays the same host (its description
     * is updated, and an anonymous host joins {@code volunteerId} when one is given); otherwise, or when the host
     * belongs to another volunteer, a new host is created for {@code volunteerId}.
     *
     * @param volunteerId the volunteer whose account key the worker sent; null when it sent none
     * @param anonymousAllowed whether the host may end up belonging to no volunteer
     * @throws AnonymousHostException when it would and may not (nothing is changed)
     * @throws BannedHostException when the returning host is banned, or its volunteer, or the volunteer whose key it
     *     sent (nothing is changed)
     * @throws RevokedTokenException when the claimed host's token was revoked and no key came with it (a host whose
     *     token was revoked comes back as itself, with a new token, when its volunteer's key comes with it)
     */
    @Transactional
    public Registration register(HostDescription info, long claimedId, String claimedToken, Long volunteerId,
            boolean anonymousAllowed) {
        if (volunteerId != null) {
            hosts.volunteerRefusal(volunteerId).ifPresent(refusal -> {
                throw new BannedHostException(refusal);
            });
        }
        Optional<Token> claimed = Token.parse(claimedToken).filter(t -> t.hostId() == claimedId);
        Optional<HostTable.Returning> returning = claimed.flatMap(
                t -> hosts.update(claimedId, hash(t.secret()), info, volunteerId, clock.instant()));
        if (returning.isPresent()) {
            if (returning.get().refusal() != null) {
                throw new BannedHostException(returning.get().refusal()); // rolls the update back
            }
            if (returning.get().volunteerId() == null && !anonymousAllowed) {
                throw new AnonymousHostException(); // rolls the update back
            }
            forget(claimedId); // its calls read how it stands now (and an old token a rotation replaced stops here)
            return new Registration(claimedId, claimedToken);
        }
        String secret = newSecret();
        if (claimedId > 0 && volunteerId != null) {
            Optional<HostTable.Returning> back = hosts.reattach(claimedId, hash(secret), info, volunteerId, clock.instant());
            if (back.isPresent()) {
                if (back.get().refusal() != null) {
                    throw new BannedHostException(back.get().refusal()); // rolls the update back
                }
                forget(claimedId);
                return new Registration(claimedId, claimedId + "." + secret);
            }
        } else if (claimedId > 0 && hosts.revokedOfVolunteer(claimedId)) {
            throw new RevokedTokenException(claimedId);
        }
        if (volunteerId == null && !anonymousAllowed) {
            throw new AnonymousHostException();
        }
        HostTable.Inserted inserted = hosts.insert(info, hash(secret), volunteerId, clock.instant());
        long id = inserted.id();
        String token = id + "." + secret;
        // a new host calls at once (RequestWork): known without a lookup, which a herd of them would queue for
        // as HostTable.find would read it (quarantined when its volunteer has a banned host)
        AuthenticatedHost host = new AuthenticatedHost(id, List.copyOf(info.apps()), volunteerId, inserted.quarantined(),
                null, false, info.wasmMemoryMib() == null ? 0 : info.wasmMemoryMib(), info.network(),
                hosts.validResults(volunteerId), false, AuthenticatedHost.BROWSER.equals(info.os()));
        AfterCommit.run(() -> known.put(token, host));
        return new Registration(id, token);
    }

    /**
     * A new token for the host, kept beside its current one until it is first used (then the old one stops
     * working); asked again before that, the one given before is replaced. Empty when the host's token was revoked
     * meanwhile.
     */
    @Transactional
    public Optional<String> rotate(long hostId) {
        String secret = newSecret();
        return hosts.nextToken(hostId, hash(secret)) ? Optional.of(hostId + "." + secret) : Optional.empty();
    }

    private String newSecret() {
        byte[] secretBytes = new byte[32];
        random.nextBytes(secretBytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secretBytes);
    }

    /**
     * The host a token belongs to, noting the contact; empty for an unknown, revoked or malformed token. The first use
     * of a token a rotation gave makes it the host's token, and the old one stops working. A token not seen within
     * {@link #REMEMBER_TOKENS} is looked up holding a permit of {@link Admission.Kind#AUTHENTICATE}: after a restart
     * every worker's next call is such a lookup.
     *
     * @throws dev.starling.coordinator.support.OverloadedException when too many lookups run or wait already
     */
    public Optional<AuthenticatedHost> authenticate(String token) {
        AuthenticatedHost host = known.getIfPresent(token);
        if (host == null) {
            Optional<Token> parsed = Token.parse(token);
            Optional<HostTable.Found> found = parsed.isEmpty() ? Optional.empty() : admission.run(
                    Admission.Kind.AUTHENTICATE, () -> hosts.find(parsed.get().hostId(), hash(parsed.get().secret())));
            if (found.isEmpty()) {
                return Optional.empty();
            }
            host = found.get().host();
            if (found.get().next() && hosts.promote(host.id(), hash(parsed.get().secret()), clock.instant())) {
                forget(host.id()); // the old token, remembered here, stops working at once
                log.info("Host {} now uses its new token", host.id());
            }
            known.put(token, host);
        }
        contacts.heard(host.id(), clock.instant());
        return Optional.of(host);
    }

    /** Forgets the tokens of a host that checked out, so its next call reads how it stands now. */
    public void forget(long hostId) {
        known.asMap().values().removeIf(h -> h.id() == hostId);
    }

    /** Forgets the tokens of a volunteer's hosts that checked out, so their next calls read how they stand now. */
    public void forgetVolunteer(long volunteerId) {
        known.asMap().values().removeIf(h -> h.volunteerId() != null && h.volunteerId() == volunteerId);
    }

    /** Every host, oldest first, with its figures: what the admin sees. */
    public Page<HostView> list(int page, int size) {
        Paging.check(page, size);
        return new Page<>(hosts.page(Paging.offset(page, size), size), page, size, hosts.count());
    }

    public HostView get(long hostId) {
        return hosts.view(hostId).orElseThrow(() -> new NotFoundException("no host " + hostId));
    }

    private static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    record Token(long hostId, String secret) {
        static Optional<Token> parse(String token) {
            if (token == null) {
                return Optional.empty();
            }
            int dot = token.indexOf('.');
            if (dot < 1 || dot == token.length() - 1) {
                return Optional.empty();
            }
            try {
                return Optional.of(new Token(Long.parseLong(token.substring(0, dot)), token.substring(dot + 1)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }
}
