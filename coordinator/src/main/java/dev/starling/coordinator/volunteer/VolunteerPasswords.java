package dev.starling.coordinator.volunteer;

import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.security.PasswordAuthenticator;
import dev.starling.coordinator.web.BadRequestException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Volunteers' web passwords: set or reset with the account key (which is what proves who they are: no mail server is
 * needed), checked at sign-in with the email. Stored as bcrypt hashes, like the admin's.
 */
@Service
public class VolunteerPasswords implements PasswordAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(VolunteerPasswords.class);
    static final int MIN_LENGTH = 8;
    /** bcrypt reads at most 72 bytes */
    static final int MAX_BYTES = 72;

    private final VolunteerTable table;
    private final PasswordEncoder encoder;
    private final Clock clock;
    /** compared against when the email is unknown, so that a sign-in takes as long either way */
    private final String decoy;

    VolunteerPasswords(VolunteerTable table, PasswordEncoder encoder, Clock clock) {
        this.table = table;
        this.encoder = encoder;
        this.clock = clock;
        this.decoy = encoder.encode("not a password of anyone's");
    }

    /**
     * Sets the volunteer's web password (replacing one set before).
     *
     * @throws BadRequestException when it is shorter than {@value #MIN_LENGTH} characters or longer than
     *     {@value #MAX_BYTES} bytes
     */
    @Transactional
    public void set(long volunteerId, String password) {
        Optional<String> weak = problem(password);
        if (weak.isPresent()) {
            throw new BadRequestException("password", weak.get());
        }
        if (!table.setPassword(volunteerId, encoder.encode(password), clock.instant())) {
            throw new IllegalStateException("no volunteer " + volunteerId + " to set the password of");
        }
        log.info("Volunteer {} set their web password", volunteerId);
    }

    /** What is wrong with a password someone chose, in words ("must have ..."); empty when nothing is. */
    public static Optional<String> problem(String password) {
        if (password == null || password.codePointCount(0, password.length()) < MIN_LENGTH
                || password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.of("must have at least " + MIN_LENGTH + " characters and at most " + MAX_BYTES + " bytes");
        }
        return Optional.empty();
    }

    @Override
    public Optional<Caller> authenticate(String email, String password) {
        if (email == null || email.length() > VolunteerService.MAX_EMAIL_LENGTH || password == null
                || password.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.empty();
        }
        Optional<VolunteerTable.Login> login = table.login(email.strip());
        boolean matches = encoder.matches(password, login.map(VolunteerTable.Login::passwordHash).orElse(decoy));
        return login.filter(l -> matches).map(l -> Caller.volunteer(l.id()));
    }
}
