package dev.starling.coordinator.security;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import java.util.List;
import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document ({@code /v3/api-docs}) and its interactive UI ({@code /swagger-ui.html}), with the three
 * ways to authenticate declared and each path's requirement set from the same rules as {@code SecurityConfig}.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfig {
    static final String RESEARCHER = "researcherKey";
    static final String VOLUNTEER = "accountKey";
    static final String ADMIN = "adminBasic";

    static {
        // who calls is taken from the credentials, never from the request
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(Caller.class);
    }

    @Bean
    OpenAPI starlingApi() {
        return new OpenAPI()
                .info(new Info().title("Starling REST API").version("v1")
                        .description("Researchers submit and follow jobs and upload blobs with an API key; volunteers "
                                + "sign up and see their hosts with their account key; the admin may call everything. "
                                + "Errors are RFC 9457 problem details (application/problem+json: type, title, status, "
                                + "detail, instance, and errors naming each invalid field); a path the API does not "
                                + "have is a 404 whoever calls it, wrong credentials a 401 on any path."))
                .components(new Components()
                        .addSecuritySchemes(RESEARCHER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("A researcher's API key, sr_<id>_<secret>, made by the admin"))
                        .addSecuritySchemes(VOLUNTEER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("A volunteer's account key, sv_<id>_<secret>, from POST /api/v1/volunteers"))
                        .addSecuritySchemes(ADMIN, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic")
                                .description("The admin's user name and password")));
    }

    /** Each operation's security requirement, by path (none: open to anyone). */
    @Bean
    OpenApiCustomizer securityByPath() {
        return api -> api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> {
            List<String> schemes = schemes(path, method.name());
            operation.setSecurity(schemes.stream().map(s -> new SecurityRequirement().addList(s)).toList());
        }));
    }

    /** The schemes that may make a call; an empty list for a call open to anyone. */
    static List<String> schemes(String path, String method) {
        if (path.startsWith("/api/v1/apps")) {
            // reading is open to anyone; deploying and sharing are researchers' (and the admin's)
            return method.equals("GET") ? List.of() : List.of(RESEARCHER, ADMIN);
        }
        if (path.startsWith("/api/v1/leaderboard")) {
            return List.of();
        }
        if (path.equals("/api/v1/volunteers") && method.equals("POST")) {
            return List.of(); // open sign-up; the admin's when by invitation
        }
        if (path.startsWith("/api/v1/volunteers/me")) {
            return List.of(VOLUNTEER);
        }
        if (path.startsWith("/api/v1/jobs") || path.startsWith("/api/v1/blobs")) {
            return List.of(RESEARCHER, ADMIN);
        }
        return List.of(ADMIN);
    }
}
