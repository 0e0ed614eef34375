package dev.starling.coordinator.browser;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.peer.FetchGrants;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.springframework.stereotype.Component;

/**
 * Give-back tokens: what lets a closing browser tab give its tasks back with {@code navigator.sendBeacon}, which
 * cannot send an {@code Authorization} header. A token names one host and when it expires, and is
 * {@code <payload>.<mac>} in base64url without padding: the payload is the host id and the expiry in epoch milliseconds
 * (8 bytes each, big-endian), the mac HMAC-SHA256 of the payload under a secret derived from the fetch-token signing
 * key ({@link FetchGrants#derivedSecret}), so that every coordinator of one database checks what another made. It
 * grants nothing but giving that host's tasks back, for {@code starling.browser.give-back-token-ttl}.
 */
@Component
class GiveBackTokens {
    private static final String PURPOSE = "starling-give-back-v1";
    private static final Base64.Encoder ENCODE = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODE = Base64.getUrlDecoder();
    /** payload and mac, base64url: longer strings are no token */
    static final int MAX_LENGTH = 100;

    private final SecretKeySpec key;
    private final Clock clock;
    private final Duration ttl;

    GiveBackTokens(FetchGrants grants, Clock clock, StarlingProperties properties) {
        this.key = new SecretKeySpec(grants.derivedSecret(PURPOSE), "HmacSHA256");
        this.clock = clock;
        this.ttl = properties.browser().giveBackTokenTtl();
    }

    /** A token and when it expires. */
    record Issued(String token, Instant expires) {}

    /** A token for the host, valid for the configured time from now. */
    Issued issue(long hostId) {
        Instant expires = clock.instant().plus(ttl);
        byte[] payload = ByteBuffer.allocate(16).putLong(hostId).putLong(expires.toEpochMilli()).array();
        return new Issued(ENCODE.encodeToString(payload) + "." + ENCODE.encodeToString(mac(payload)), expires);
    }

    /** The host a token names, when it is one of ours and has not expired; empty for anything else. */
    Optional<Long> host(String token) {
        if (token == null || token.length() > MAX_LENGTH) {
            return Optional.empty();
        }
        int dot = token.indexOf('.');
        if (dot < 1) {
            return Optional.empty();
        }
        byte[] payload;
        byte[] mac;
        try {
            payload = DECODE.decode(token.substring(0, dot));
            mac = DECODE.decode(token.substring(dot + 1));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (payload.length != 16 || !MessageDigest.isEqual(mac, mac(payload))) {
            return Optional.empty();
        }
        ByteBuffer fields = ByteBuffer.wrap(payload);
        long host = fields.getLong();
        long expires = fields.getLong();
        return expires < clock.millis() ? Optional.empty() : Optional.of(host);
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac.doFinal(payload);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
