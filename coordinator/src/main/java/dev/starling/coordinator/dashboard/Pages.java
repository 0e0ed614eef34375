package dev.starling.coordinator.dashboard;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.FlashMap;
import org.springframework.web.servlet.FlashMapManager;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;
import org.springframework.web.servlet.support.SessionFlashMapManager;

/**
 * Pages are live: a page's URL answers the whole page, or (asked by htmx, which sends {@code HX-Request}) only its
 * live section, which htmx swaps in place every few seconds. Answers are never cached, and vary by that header.
 * A flash message (the notice a form's redirect carries, "Job 7 was cancelled") goes to the page the redirect
 * loads, never to a live refresh of the same URL that happens to come first (whose fragment does not show it).
 */
@Configuration(proxyBeanMethods = false)
class Pages implements WebMvcConfigurer {
    static final String HX_REQUEST = "HX-Request";

    /** The page's view, or only its live fragment when htmx asks. */
    static String view(String page, String hxRequest) {
        return hxRequest == null ? page : page + " :: live";
    }

    /** Spring Boot's own stands back for a bean of this name (DispatcherServlet.FLASH_MAP_MANAGER_BEAN_NAME). */
    @Bean(DispatcherServlet.FLASH_MAP_MANAGER_BEAN_NAME)
    FlashMapManager flashMapManager() {
        FlashMapManager session = new SessionFlashMapManager();
        return new FlashMapManager() {
            @Override
            public FlashMap retrieveAndUpdate(HttpServletRequest request, HttpServletResponse response) {
                return request.getHeader(HX_REQUEST) != null ? null : session.retrieveAndUpdate(request, response);
            }

            @Override
            public void saveOutputFlashMap(FlashMap flashMap, HttpServletRequest request, HttpServletResponse response) {
                session.saveOutputFlashMap(flashMap, request, response);
            }
        };
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new HandlerInterceptor() {
            @Override
            public boolean preHandle(HttpServletRequest request, HttpServletResponse response, Object handler) {
                response.setHeader("Cache-Control", "no-store");
                response.setHeader("Vary", HX_REQUEST);
                return true;
            }
        }).addPathPatterns("/dashboard", "/dashboard/**");
    }
}
