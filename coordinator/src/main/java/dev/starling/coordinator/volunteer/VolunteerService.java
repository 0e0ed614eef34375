package dev.starling.coordinator.volunteer;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.host.HostModeration;
import dev.starling.coordinator.host.HostService;
import dev.starling.coordinator.host.HostTable;
import dev.starling.coordinator.host.HostView;
import dev.starling.coordinator.support.AfterCommit;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.security.KeyAuthenticator;
import dev.starling.coordinator.security.SecretKeys;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.BadRequestException.FieldError;
import dev.starling.coordinator.web.ConflictException;
import dev.starling.coordinator.web.ForbiddenException;
import dev.starling.coordinator.web.UnauthenticatedException;
import dev.starling.coordinator.web.NotFoundException;
import dev.starling.coordinator.web.TooManyRequestsException;
import dev.starling.coordinator.web.Page;
import dev.starling.coordinator.web.Paging;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Volunteers: sign-up (open, or by the admin only: {@code starling.volunteers.sign-up}), their account keys
 * ({@code sv_<id>_<secret>}, rotatable), what they see of themselves, and the list the admin sees.
 */
@Service
public class VolunteerService implements KeyAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(VolunteerService.class);
    public static final String PREFIX = "sv";
    static final int MAX_NAME_LENGTH = 100;
    static final int MAX_EMAIL_LENGTH = 254;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

    private final VolunteerTable table;
    private final HostTable hosts;
    private final HostService hostService;
    private final Clock clock;
    private final StarlingProperties.SignUp signUp;
    private final StarlingProperties.Volunteers settings;

    VolunteerService(VolunteerTable table, HostTable hosts, HostService hostService, Clock clock,
            StarlingProperties properties) {
        this.table = table;
        this.hosts = hosts;
        this.hostService = hostService;
        this.clock = clock;
        this.signUp = properties.volunteers().signUp();
        this.settings = properties.volunteers();
    }

    /** Whether anyone may sign up (not only the admin, by invitation). */
    public boolean signUpOpen() {
        return signUp != StarlingProperties.SignUp.INVITE;
    }

    /** A new account, with its account key (the only time it is shown). */
    public record SignedUp(long id, String name, String email, Instant createdAt, String accountKey) {}

    /**
     * Creates a volunteer account.
     *
     * @param by who asks: anyone when sign-up is open, only the admin when it is by invitation
     * @param address where the request came from (null when it cannot be told): at most
     *     {@code starling.volunteers.sign-ups-per-address} accounts per address within {@code sign-up-window}, but
     *     for the admin
     * @throws UnauthenticatedException when sign-up is by invitation and nobody says who asks
     * @throws ForbiddenException when sign-up is by invitation and {@code by} is not the admin
     * @throws TooManyRequestsException when the address signed up its share already (nothing is stored)
     */
    @Transactional
    public SignedUp signUp(String name, String email, Optional<Caller> by, String address) {
        if (signUp == StarlingProperties.SignUp.INVITE && !by.map(Caller::isAdmin).orElse(false)) {
            String why = "sign-up on this coordinator is by invitation: the operator creates volunteer accounts"
                    + " (POST /api/v1/volunteers with the admin's credentials) and hands out the account key";
            throw by.isEmpty() ? new UnauthenticatedException(why) : new ForbiddenException(why);
        }
        String n = name == null ? "" : name.strip();
        String e = email == null ? "" : email.strip();
        List<FieldError> errors = new ArrayList<>();
        if (n.isEmpty() || n.length() > MAX_NAME_LENGTH) {
            errors.add(new FieldError("name", "must have 1 to " + MAX_NAME_LENGTH + " characters"));
        }
        if (e.length() > MAX_EMAIL_LENGTH || !EMAIL.matcher(e).matches()) {
            errors.add(new FieldError("email", "must be an email address (name@example.org)"));
        }
        if (!errors.isEmpty()) {
            throw new BadRequestException(errors);
        }
        Instant now = clock.instant();
        boolean admin = by.map(Caller::isAdmin).orElse(false);
        String from = admin ? null : address;
        if (from != null && settings.signUpsPerAddress() > 0
                && table.signUpsFrom(from, now.minus(settings.signUpWindow())) >= settings.signUpsPerAddress()) {
            throw new TooManyRequestsException(settings.signUpsPerAddress() + " volunteer accounts were signed up from "
                    + from + " within " + settings.signUpWindow().toMinutes() + " minutes, the most this project allows;"
                    + " try again later, or ask the project's admin for an account", settings.signUpWindow());
        }
        String secret = SecretKeys.newSecret();
        long id = table.insert(n, e, SecretKeys.hash(secret), from, now)
                .orElseThrow(() -> new ConflictException("a volunteer with the email " + e + " exists already"));
        log.info("Volunteer {} ({}) signed up", id, n);
        return new SignedUp(id, n, e, now, SecretKeys.format(PREFIX, id, secret));
    }

    /** A volunteer with their hosts. */
    public record Me(VolunteerView volunteer, List<HostView> hosts) {}

    public Me me(long volunteerId) {
        return new Me(get(volunteerId), hosts.ofVolunteer(volunteerId));
    }

    /** Replaces the volunteer's account key; the old one stops working at once. Their hosts keep working. */
    @Transactional
    public String rotateKey(long volunteerId) {
        String secret = SecretKeys.newSecret();
        table.rotate(volunteerId, SecretKeys.hash(secret), clock.instant());
        log.info("Volunteer {} rotated their account key", volunteerId);
        return SecretKeys.format(PREFIX, volunteerId, secret);
    }

    /**
     * Bans a volunteer: the calls of all their hosts are refused (PERMISSION_DENIED with the reason), and so is a
     * registration with their account key, at once on this coordinator and within a minute on others (they remember
     * hosts' tokens for that long). Their hosts' tasks in progress are reissued when their leases end.
     */
    @Transactional
    public VolunteerView ban(long volunteerId, String reason) {
        String why = HostModeration.reason(reason, "banned by the admin");
        if (!table.ban(volunteerId, why, clock.instant())) {
            throw new NotFoundException("no volunteer " + volunteerId);
        }
        AfterCommit.run(() -> {
            hostService.forgetVolunteer(volunteerId);
            log.warn("Volunteer {} banned: {}", volunteerId, why);
        });
        return get(volunteerId);
    }

    @Transactional
    public VolunteerView unban(long volunteerId) {
        if (!table.unban(volunteerId)) {
            throw new NotFoundException("no volunteer " + volunteerId);
        }
        AfterCommit.run(() -> {
            hostService.forgetVolunteer(volunteerId);
            log.info("Volunteer {} unbanned", volunteerId);
        });
        return get(volunteerId);
    }

    /** Of these volunteers, the banned ones, with the admin's reason. */
    public Map<Long, String> bans(Collection<Long> volunteerIds) {
        return volunteerIds.isEmpty() ? Map.of() : table.bans(volunteerIds);
    }

    public VolunteerView get(long volunteerId) {
        return table.find(volunteerId).orElseThrow(() -> new NotFoundException("no volunteer " + volunteerId));
    }

    /** Every volunteer, oldest first: what the admin sees. */
    public Page<VolunteerView> list(int page, int size) {
        Paging.check(page, size);
        return new Page<>(table.page(Paging.offset(page, size), size), page, size, table.count());
    }

    /** The volunteer an account key belongs to; empty for a malformed, unknown or rotated-away key. */
    public Optional<Long> volunteerOf(String accountKey) {
        return SecretKeys.parse(accountKey).filter(k -> k.prefix().equals(PREFIX))
                .flatMap(k -> authenticate(k.id(), k.secret())).map(Caller::id);
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public Optional<Caller> authenticate(long id, String secret) {
        return table.keyHash(id).filter(h -> SecretKeys.matches(h, secret)).map(h -> Caller.volunteer(id));
    }
}
