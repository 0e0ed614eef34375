package dev.starling.coordinator.security;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.StartupProblem;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Component;

/**
 * The admin account (table {@code admin_account}): created at the first start with the password in
 * {@code STARLING_ADMIN_PASSWORD} ({@code starling.admin.password}), or with a generated one that is logged once;
 * set again when {@code starling.admin.reset-password} is on. Passwords are stored as bcrypt hashes. Several
 * coordinators starting together on one database create it once: only the one whose insert took logs the password.
 * A generated password is set once the coordinator is up (both servers listening), never in a start that fails:
 * logged by a start that then failed (a port in use), it would be lost, as it is shown only once. A password
 * from STARLING_ADMIN_PASSWORD is set before the servers listen, so that scripts may use it as soon as they answer.
 */
@Component
class AdminAccount
        implements UserDetailsService, SmartInitializingSingleton, ApplicationListener<ApplicationReadyEvent> {
    private static final Logger log = LoggerFactory.getLogger(AdminAccount.class);
    static final int MIN_PASSWORD_LENGTH = 8;
    private static final String ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    private final AdminAccountTable table;
    private final PasswordEncoder encoder;
    private final Clock clock;
    private final StarlingProperties.Admin settings;

    AdminAccount(AdminAccountTable table, PasswordEncoder encoder, Clock clock, StarlingProperties properties) {
        this.table = table;
        this.encoder = encoder;
        this.clock = clock;
        this.settings = properties.admin();
        if (settings.password() != null && settings.password().length() < MIN_PASSWORD_LENGTH) {
            throw new StartupProblem("the admin password in STARLING_ADMIN_PASSWORD (starling.admin.password) must have "
                    + "at least " + MIN_PASSWORD_LENGTH + " characters",
                    "Set a longer one, or leave it unset to have one generated and logged at the first start.");
        }
        if (settings.username() == null || settings.username().isBlank()) {
            throw new StartupProblem("starling.admin.username is empty", "Leave it out (admin) or give a name.");
        }
    }

    /** A password from STARLING_ADMIN_PASSWORD is set before the coordinator takes requests. */
    @Override
    public void afterSingletonsInstantiated() {
        if (settings.password() != null) {
            store(settings.password(), false);
        }
    }

    /**
     * A generated password is set once the coordinator is up (both servers listening; until then, a moment, there
     * is no admin to log in as), so that a start that fails never logs one that is then lost.
     */
    @Override
    public void onApplicationEvent(ApplicationReadyEvent event) {
        if (settings.password() == null) {
            store(generate(), true);
        }
    }

    /** Creates the account, or sets its password again when asked to, and says so in the log. */
    private void store(String password, boolean generated) {
        Instant now = clock.instant();
        boolean created = table.insertIfAbsent(settings.username(), encoder.encode(password), now);
        if (!created && settings.resetPassword()) {
            table.setPassword(settings.username(), encoder.encode(password), now);
        } else if (!created) {
            return;
        }
        String what = created ? "Created the admin account '" + settings.username() + "'"
                : "Reset the password of the admin account '" + settings.username() + "'";
        if (generated) {
            // printed once: it is not stored anywhere but as a hash
            log.warn("{} with the generated password {} (it is not shown again; set STARLING_ADMIN_PASSWORD and "
                    + "starling.admin.reset-password=true to choose another)", what, password);
        } else {
            log.info("{} with the password from STARLING_ADMIN_PASSWORD", what);
        }
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        Optional<String> hash = table.passwordHash(username);
        if (hash.isEmpty()) {
            throw new UsernameNotFoundException("no admin " + username);
        }
        return User.withUsername(username).password(hash.get())
                .authorities(new SimpleGrantedAuthority(Caller.ADMIN.authority())).build();
    }

    private static String generate() {
        SecureRandom random = new SecureRandom();
        StringBuilder b = new StringBuilder(20);
        for (int i = 0; i < 20; i++) {
            b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }
}
