package dev.starling.coordinator.security;

import dev.starling.coordinator.StarlingProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.net.URI;
import java.util.List;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpMethod;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.authentication.dao.DaoAuthenticationProvider;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.WebAttributes;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;
import org.springframework.security.web.authentication.www.BasicAuthenticationFilter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.header.writers.CompositeHeaderWriter;
import org.springframework.security.web.header.writers.ContentSecurityPolicyHeaderWriter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.savedrequest.HttpSessionRequestCache;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Who may call what. Three filter chains:
 * <ul>
 *   <li>the browser hosts' facade ({@code /api/v1/browser/**}): Register with a volunteer's web session and its CSRF
 *       token; every other call is open here and authenticated by the facade itself (a host token, a give-back token
 *       in the body, a fetch token), as gRPC workers are; never creates a session;</li>
 *   <li>the REST API and Actuator ({@code /api/**}, {@code /actuator/**}): researchers' API keys and volunteers'
 *       account keys ({@code Authorization: Bearer}), the admin by HTTP Basic or by the dashboard's session; never
 *       creates a session; answers 401/403/429 as problem details (and 404 rather than 401 or 403 for a path it
 *       does not have); a call made with the session (no {@code Authorization} header) must carry the CSRF
 *       token;</li>
 *   <li>everything else (the dashboard, the volunteers' account pages, the login pages, the API docs): one form
 *       login at {@code /login} for the admin (then {@code /dashboard}) and volunteers, who sign in with their email
 *       at {@code /account/login} (then {@code /account}, never the admin's pages), logout at {@code /logout}, CSRF
 *       on, strict security headers; a refusal (a form without its CSRF token) goes to the error page.</li>
 * </ul>
 * The table of who may call what is in docs/operator-guide.md ("Access").
 */
@Configuration(proxyBeanMethods = false)
class SecurityConfig implements WebMvcConfigurer {
    /** the browser chain's Content-Security-Policy: everything from this origin, no inline scripts */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
            + "form-action 'self'; frame-ancestors 'none'";
    /**
     * The volunteer page's and its worker scripts' policy: the browser chain's, and WebAssembly may be compiled
     * ({@code 'wasm-unsafe-eval'}), there only.
     */
    static final String VOLUNTEER_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self';",
            "script-src 'self' 'wasm-unsafe-eval';");
    /** the page where a volunteer computes in a browser tab, and its scripts (ES modules and Web Workers) */
    static final String VOLUNTEER_PAGE = "/volunteer";
    static final String VOLUNTEER_SCRIPTS = "/js/volunteer/**";
    static final String BROWSER_API = "/api/v1/browser/**";
    static final String BROWSER_REGISTER = "/api/v1/browser/register";
    /** where volunteers sign in (the form posts to /login, as the admin's does) */
    static final String ACCOUNT_LOGIN = "/account/login";
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "TRACE");

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder(); // bcrypt
    }

    @Bean
    AuthenticationManager authenticationManager(AdminAccount admin, PasswordEncoder encoder, LoginThrottle throttle,
            PasswordAuthenticator volunteers) {
        DaoAuthenticationProvider passwords = new DaoAuthenticationProvider(admin);
        passwords.setPasswordEncoder(encoder);
        return new ProviderManager(new ThrottledAuthentication(new SignIn(passwords, volunteers), throttle));
    }

    /**
     * The browser hosts' facade. Only Register rests on the session (a volunteer's, with its CSRF token: a cookie is
     * sent by any site's forms); the facade checks the other calls' tokens itself, so no other credential is read here
     * (a host token is no API key).
     */
    @Bean
    @Order(0)
    SecurityFilterChain browserHosts(HttpSecurity http, ObjectProvider<HandlerMapping> handlerMappings,
            StarlingProperties properties) throws Exception {
        AccessProblems problems = new AccessProblems(new KnownPaths(handlerMappings), properties.admission().retryAfter());
        http.securityMatcher(BROWSER_API)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(HttpMethod.POST, BROWSER_REGISTER).hasRole("VOLUNTEER")
                        .anyRequest().permitAll())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.NEVER))
                // Register made with a session cookie (without one it is refused as unauthenticated)
                .csrf(c -> c.requireCsrfProtectionMatcher(request -> request.getRequestedSessionId() != null
                        && PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.POST, BROWSER_REGISTER)
                                .matches(request)))
                .exceptionHandling(e -> e.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .requestCache(c -> c.disable());
        return http.build();
    }

    @Bean
    @Order(1)
    SecurityFilterChain api(HttpSecurity http, AuthenticationManager manager, List<KeyAuthenticator> keys,
            ObjectProvider<HandlerMapping> handlerMappings, StarlingProperties properties) throws Exception {
        AccessProblems problems = new AccessProblems(new KnownPaths(handlerMappings), properties.admission().retryAfter());
        http.securityMatcher("/api/**", "/actuator/**")
                .authenticationManager(manager)
                .authorizeHttpRequests(a -> a
                        .requestMatchers(HttpMethod.GET, "/api/v1/apps/**", "/api/v1/leaderboard/**").permitAll()
                        .requestMatchers("/actuator/health/**").permitAll()
                        // sign-up; whether it is open or by invitation is the volunteer service's to decide
                        .requestMatchers(HttpMethod.POST, "/api/v1/volunteers").permitAll()
                        .requestMatchers("/api/v1/volunteers/me/**").hasRole("VOLUNTEER")
                        .requestMatchers("/api/v1/jobs/**", "/api/v1/blobs/**").hasAnyRole("RESEARCHER", "ADMIN")
                        // deploying an app, sharing one (the admin's disable and revoke are under /api/v1/admin)
                        .requestMatchers(HttpMethod.POST, "/api/v1/apps", "/api/v1/apps/**")
                                .hasAnyRole("RESEARCHER", "ADMIN")
                        // the admin API, hosts, metrics, and anything not named above
                        .anyRequest().hasRole("ADMIN"))
                .addFilterBefore(new ApiKeyFilter(keys), BasicAuthenticationFilter.class)
                .httpBasic(b -> b.authenticationEntryPoint(problems))
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.NEVER))
                // a browser's cookie is sent by any site's forms; an Authorization header is not
                .csrf(c -> c.requireCsrfProtectionMatcher(SecurityConfig::madeWithSession))
                .exceptionHandling(e -> e.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .requestCache(c -> c.disable());
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain browser(HttpSecurity http, AuthenticationManager manager) throws Exception {
        RequestMatcher volunteerPage = new OrRequestMatcher(PathPatternRequestMatcher.withDefaults().matcher(VOLUNTEER_PAGE),
                PathPatternRequestMatcher.withDefaults().matcher(VOLUNTEER_SCRIPTS));
        http.authenticationManager(manager)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/login", "/error", "/favicon.ico", "/css/**", "/js/**", "/images/**",
                                "/webjars/**", "/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html").permitAll()
                        // a volunteer's sign-in and sign-up pages, and setting their password with their account key
                        .requestMatchers(ACCOUNT_LOGIN, "/account/password", "/account/signup").permitAll()
                        .requestMatchers("/account", "/account/**", VOLUNTEER_PAGE).hasRole("VOLUNTEER")
                        .anyRequest().hasRole("ADMIN"))
                // the admin goes to the dashboard, a volunteer (who signs in with an email) to their account, or back to
                // the volunteer page when that is what sent them to sign in
                .formLogin(f -> f.loginPage("/login")
                        .successHandler((request, response, auth) -> response.sendRedirect(request.getContextPath()
                                + (auth.getPrincipal() instanceof Caller c && !c.isAdmin()
                                        ? (cameFrom(request, response, VOLUNTEER_PAGE) ? VOLUNTEER_PAGE : "/account")
                                        : "/dashboard")))
                        .failureHandler((request, response, e) -> response.sendRedirect(request.getContextPath()
                                + (SignIn.isVolunteer(request.getParameter("username")) ? ACCOUNT_LOGIN : "/login")
                                + (e instanceof LoginThrottledException ? "?locked" : "?error"))))
                .logout(l -> l.logoutUrl("/logout").logoutSuccessHandler((request, response, auth) ->
                        response.sendRedirect(request.getContextPath()
                                + (auth != null && auth.getPrincipal() instanceof Caller c && !c.isAdmin()
                                        ? ACCOUNT_LOGIN : "/login") + "?logout")))
                // to the error page (dashboard.ErrorPages), which tells a form without its CSRF token by the exception
                .exceptionHandling(e -> e.accessDeniedHandler((request, response, denied) -> {
                    request.setAttribute(WebAttributes.ACCESS_DENIED_403, denied);
                    response.sendError(HttpServletResponse.SC_FORBIDDEN);
                }).defaultAuthenticationEntryPointFor(new LoginUrlAuthenticationEntryPoint(ACCOUNT_LOGIN),
                        new OrRequestMatcher(PathPatternRequestMatcher.withDefaults().matcher("/account/**"),
                                PathPatternRequestMatcher.withDefaults().matcher(VOLUNTEER_PAGE))))
                .headers(h -> h.referrerPolicy(r -> r.policy(ReferrerPolicy.SAME_ORIGIN))
                        .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(new NegatedRequestMatcher(volunteerPage),
                                new ContentSecurityPolicyHeaderWriter(CONTENT_SECURITY_POLICY)))
                        // cross-origin isolated (SharedArrayBuffer, Atomics.wait: a task's pause), WebAssembly compiled
                        .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(volunteerPage, new CompositeHeaderWriter(
                                List.of(new ContentSecurityPolicyHeaderWriter(VOLUNTEER_CONTENT_SECURITY_POLICY),
                                        new StaticHeadersWriter("Cross-Origin-Opener-Policy", "same-origin"),
                                        new StaticHeadersWriter("Cross-Origin-Embedder-Policy", "require-corp"),
                                        new StaticHeadersWriter("Cross-Origin-Resource-Policy", "same-origin"))))));
        return http.build();
    }

    /** Whether the sign-in was asked for by a request to {@code path} (which is then forgotten). */
    private static boolean cameFrom(HttpServletRequest request, HttpServletResponse response, String path) {
        RequestCache cache = new HttpSessionRequestCache();
        SavedRequest saved = cache.getRequest(request, response);
        if (saved == null) {
            return false;
        }
        cache.removeRequest(request, response);
        return URI.create(saved.getRedirectUrl()).getPath().equals(request.getContextPath() + path);
    }

    /** A state-changing call authenticated by the session cookie rather than an Authorization header. */
    private static boolean madeWithSession(HttpServletRequest request) {
        return !SAFE_METHODS.contains(request.getMethod()) && request.getHeader("Authorization") == null
                && request.getRequestedSessionId() != null;
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new CallerArgumentResolver());
    }
}
