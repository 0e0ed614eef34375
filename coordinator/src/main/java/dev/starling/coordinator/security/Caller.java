package dev.starling.coordinator.security;

import java.util.Optional;

/**
 * Who made a REST call: the admin (by HTTP Basic or the dashboard's session), a researcher (by API key) or a
 * volunteer (by account key). Controllers take it as a parameter ({@link CallerArgumentResolver}).
 *
 * @param id the researcher's or the volunteer's id; 0 for the admin
 */
public record Caller(Role role, long id) implements java.io.Serializable {
    public enum Role { ADMIN, RESEARCHER, VOLUNTEER }

    public static final Caller ADMIN = new Caller(Role.ADMIN, 0);

    public static Caller researcher(long id) {
        return new Caller(Role.RESEARCHER, id);
    }

    public static Caller volunteer(long id) {
        return new Caller(Role.VOLUNTEER, id);
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** The researcher whose things this caller may see; empty for the admin, who sees everything. */
    public Optional<Long> owner() {
        return switch (role) {
            case ADMIN -> Optional.empty();
            case RESEARCHER -> Optional.of(id);
            case VOLUNTEER -> throw new IllegalStateException("a volunteer owns no jobs or blobs");
        };
    }

    /** The Spring Security authority of the role ({@code ROLE_ADMIN}, ...). */
    String authority() {
        return "ROLE_" + role.name();
    }
}
