package dev.starling.coordinator.security;

import dev.starling.coordinator.StarlingProperties;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
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
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.HandlerMapping;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Who may call what. Two filter chains:
 * <ul>
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
        http.authenticationManager(manager)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/login", "/error", "/favicon.ico", "/css/**", "/js/**", "/images/**",
                                "/webjars/**", "/v3/api-docs/**", "/swagger-ui/**", "/swagger-ui.html").permitAll()
                        // a volunteer's sign-in page, and setting their password with their account key
                        .requestMatchers(ACCOUNT_LOGIN, "/account/password").permitAll()
                        .requestMatchers("/account", "/account/**").hasRole("VOLUNTEER")
                        .anyRequest().hasRole("ADMIN"))
                // the admin goes to the dashboard, a volunteer (who signs in with an email) to their account
                .formLogin(f -> f.loginPage("/login")
                        .successHandler((request, response, auth) -> response.sendRedirect(request.getContextPath()
                                + (auth.getPrincipal() instanceof Caller c && !c.isAdmin() ? "/account" : "/dashboard")))
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
                        PathPatternRequestMatcher.withDefaults().matcher("/account/**")))
                .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(CONTENT_SECURITY_POLICY))
                        .referrerPolicy(r -> r.policy(ReferrerPolicy.SAME_ORIGIN)));
        return http.build();
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
