package dev.starling.coordinator.security;

import dev.starling.coordinator.web.ErrorAnswers;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <key>} on the REST API: a researcher's API key or a volunteer's
 * account key, told apart by their prefix. A request that carries a key that is malformed, unknown or revoked is
 * answered 401 at once (it must not pass as anonymous); one without a key goes on, and the access rules decide.
 * Nothing is kept in a session.
 */
final class ApiKeyFilter extends OncePerRequestFilter {
    private static final String BEARER = "Bearer ";

    private final Map<String, KeyAuthenticator> byPrefix;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    ApiKeyFilter(List<KeyAuthenticator> authenticators) {
        this.byPrefix = authenticators.stream().collect(Collectors.toMap(KeyAuthenticator::prefix, Function.identity()));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            chain.doFilter(request, response);
            return;
        }
        Optional<Caller> caller = SecretKeys.parse(header.substring(BEARER.length()))
                .flatMap(k -> Optional.ofNullable(byPrefix.get(k.prefix())).flatMap(a -> a.authenticate(k.id(), k.secret())));
        if (caller.isEmpty()) {
            ErrorAnswers.write(request, response, ErrorAnswers.problem(HttpStatus.UNAUTHORIZED, "unauthenticated",
                    "Unauthenticated", "the key in 'Authorization: Bearer' is unknown, revoked or malformed; researchers "
                            + "get API keys from the operator, volunteers their account key at sign-up"));
            return;
        }
        SecurityContext context = contexts.createEmptyContext();
        context.setAuthentication(new CallerAuthentication(caller.get()));
        contexts.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            contexts.clearContext();
        }
    }
}
