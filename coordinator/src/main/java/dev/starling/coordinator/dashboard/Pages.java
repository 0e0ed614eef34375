package dev.starling.coordinator.dashboard;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.HandlerInterceptor;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Pages are live: a page's URL answers the whole page, or (asked by htmx, which sends {@code HX-Request}) only its
 * live section, which htmx swaps in place every few seconds. Answers are never cached, and vary by that header.
 */
@Configuration(proxyBeanMethods = false)
class Pages implements WebMvcConfigurer {
    static final String HX_REQUEST = "HX-Request";

    /** The page's view, or only its live fragment when htmx asks. */
    static String view(String page, String hxRequest) {
        return hxRequest == null ? page : page + " :: live";
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
