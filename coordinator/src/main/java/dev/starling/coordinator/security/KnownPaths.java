package dev.starling.coordinator.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.function.Predicate;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.web.servlet.HandlerExecutionChain;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.resource.DefaultServletHttpRequestHandler;
import org.springframework.web.servlet.resource.ResourceHttpRequestHandler;
import org.springframework.web.util.ServletRequestPathUtils;

/**
 * Whether a controller or endpoint answers a request's path, with any method: asked of the handler mappings the
 * dispatcher uses, before the security filters refuse a caller (a refused request is never dispatched, so the
 * attributes the lookup leaves on it matter to nobody). Static resources (mapped to every path) do not count.
 */
final class KnownPaths implements Predicate<HttpServletRequest> {
    private final ObjectProvider<HandlerMapping> mappings;

    KnownPaths(ObjectProvider<HandlerMapping> mappings) {
        this.mappings = mappings;
    }

    @Override
    public boolean test(HttpServletRequest request) {
        if (!ServletRequestPathUtils.hasParsedRequestPath(request)) {
            ServletRequestPathUtils.parseAndCache(request);
        }
        return mappings.orderedStream().anyMatch(mapping -> answers(mapping, request));
    }

    private static boolean answers(HandlerMapping mapping, HttpServletRequest request) {
        HandlerExecutionChain chain;
        try {
            chain = mapping.getHandler(request);
        } catch (Exception e) {
            return true; // the path is there, but not for this method, media type or parameters (405, 415, ...)
        }
        return chain != null && !(chain.getHandler() instanceof ResourceHttpRequestHandler)
                && !(chain.getHandler() instanceof DefaultServletHttpRequestHandler);
    }
}
