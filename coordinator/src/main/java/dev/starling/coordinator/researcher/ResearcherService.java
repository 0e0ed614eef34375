package dev.starling.coordinator.researcher;

import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.security.KeyAuthenticator;
import dev.starling.coordinator.security.SecretKeys;
import dev.starling.coordinator.web.BadRequestException;
import dev.starling.coordinator.web.NotFoundException;
import dev.starling.coordinator.web.Page;
import dev.starling.coordinator.web.Paging;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Researchers and their API keys ({@code sr_<key id>_<secret>}): the admin creates researchers, gives them keys
 * (each shown once) and revokes keys; a revoked key is refused at once by every coordinator (keys are checked
 * against the database on every call, never cached).
 */
@Service
public class ResearcherService implements KeyAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(ResearcherService.class);
    public static final String PREFIX = "sr";
    static final int MAX_NAME_LENGTH = 200;

    private final ResearcherTable table;
    private final Clock clock;

    ResearcherService(ResearcherTable table, Clock clock) {
        this.table = table;
        this.clock = clock;
    }

    /** Creates a researcher with a first API key. */
    @Transactional
    public IssuedKey create(String name) {
        String checked = name == null ? "" : name.strip();
        if (checked.isEmpty() || checked.length() > MAX_NAME_LENGTH) {
            throw new BadRequestException("name", "must have 1 to " + MAX_NAME_LENGTH + " characters");
        }
        long id = table.insert(checked, clock.instant());
        log.info("Researcher {} ({}) created", id, checked);
        return issue(id, checked);
    }

    /** Gives an existing researcher another API key (the others keep working until revoked). */
    @Transactional
    public IssuedKey newKey(long researcherId) {
        ResearcherView r = get(researcherId);
        return issue(r.id(), r.name());
    }

    /** Revokes a key; revoking it again changes nothing. */
    @Transactional
    public ResearcherView.Key revoke(long researcherId, long keyId) {
        if (!table.revoke(researcherId, keyId, clock.instant())) {
            throw new NotFoundException("researcher " + researcherId + " has no key " + keyId);
        }
        log.info("Key {} of researcher {} revoked", keyId, researcherId);
        return get(researcherId).keys().stream().filter(k -> k.id() == keyId).findFirst().orElseThrow();
    }

    public ResearcherView get(long researcherId) {
        return table.find(researcherId).orElseThrow(() -> new NotFoundException("no researcher " + researcherId));
    }

    public Page<ResearcherView> list(int page, int size) {
        Paging.check(page, size);
        return new Page<>(table.page(Paging.offset(page, size), size), page, size, table.count());
    }

    private IssuedKey issue(long researcherId, String name) {
        String secret = SecretKeys.newSecret();
        Instant now = clock.instant();
        long keyId = table.insertKey(researcherId, SecretKeys.hash(secret), now);
        return new IssuedKey(researcherId, name, keyId, SecretKeys.format(PREFIX, keyId, secret), now);
    }

    @Override
    public String prefix() {
        return PREFIX;
    }

    @Override
    public Optional<Caller> authenticate(long keyId, String secret) {
        return table.activeKey(keyId).filter(k -> SecretKeys.matches(k.secretHash(), secret))
                .map(k -> Caller.researcher(k.researcherId()));
    }
}
