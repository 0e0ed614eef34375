package dev.starling.coordinator.security;

import java.util.Optional;
import org.springframework.core.MethodParameter;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;

/**
 * Gives controller methods a {@link Caller} parameter (who the access rules let through), or an
 * {@code Optional<Caller>} on calls open to anyone (empty for an anonymous caller).
 */
final class CallerArgumentResolver implements HandlerMethodArgumentResolver {

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.nestedIfOptional().getNestedParameterType() == Caller.class;
    }

    @Override
    public Object resolveArgument(MethodParameter parameter, ModelAndViewContainer mav, NativeWebRequest request,
            WebDataBinderFactory binders) {
        Authentication auth = SecurityContextHolder.getContext().getAuthentication();
        if (parameter.getParameterType() == Optional.class) {
            return find(auth);
        }
        // the access rules let no one else reach a controller that asks for a caller
        return find(auth).orElseThrow(() -> new IllegalStateException("no authenticated caller for a call that needs one"));
    }

    static Optional<Caller> find(Authentication auth) {
        if (auth != null && auth.getPrincipal() instanceof Caller caller) {
            return Optional.of(caller);
        }
        if (auth != null && auth.isAuthenticated()
                && auth.getAuthorities().stream().anyMatch(a -> Caller.ADMIN.authority().equals(a.getAuthority()))) {
            return Optional.of(Caller.ADMIN);
        }
        return Optional.empty();
    }
}
