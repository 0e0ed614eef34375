package dev.starling.coordinator.browser;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.dispatch.WorkerProtocol;
import dev.starling.coordinator.host.AuthenticatedHost;
import dev.starling.coordinator.peer.PeerAddresses;
import dev.starling.coordinator.security.Caller;
import dev.starling.coordinator.support.Text;
import dev.starling.coordinator.web.ContentTooLargeException;
import dev.starling.proto.v1.Failure;
import dev.starling.proto.v1.HeartbeatRequest;
import dev.starling.proto.v1.RegisterRequest;
import dev.starling.proto.v1.RegisterResponse;
import dev.starling.proto.v1.ReportResultsRequest;
import dev.starling.proto.v1.RequestWorkRequest;
import dev.starling.proto.v1.RotateTokenRequest;
import dev.starling.proto.v1.TaskResult;
import dev.starling.proto.v1.WasmCapability;
import io.grpc.Status;
import io.swagger.v3.oas.annotations.Hidden;
import io.grpc.StatusRuntimeException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The worker protocol for browser tabs, JSON over HTTP (docs/protocol.md, "Browser hosts"): each call is
 * {@link WorkerProtocol}'s, as gRPC workers make it, with the same bounds and refusals (a {@link StatusRuntimeException}
 * becomes a problem with the HTTP status of its code, in {@code ProblemAdvice}). A tab registers with its volunteer's
 * web session (and its CSRF token: the security rules ask for it), as a host whose os is {@code browser} running
 * deployed apps only; every other call carries its host token, but the give-back of a closing tab, which carries a
 * give-back token in its body ({@code navigator.sendBeacon} sends no header).
 */
@Hidden // the worker protocol for browsers (docs/protocol.md), not the REST API of the OpenAPI document
@RestController
@RequestMapping(BrowserController.BASE)
class BrowserController {
    private static final Logger log = LoggerFactory.getLogger(BrowserController.class);
    static final String BASE = "/api/v1/browser";
    static final String PROTOCOL = "Starling-Protocol";
    /** what a browser host's name (a summary of its user agent) is cut to */
    static final int MAX_NAME = 100;
    /** what the page's own version, kept in the host's worker version, is cut to */
    static final int MAX_VERSION = 60;
    /** the largest give-back body: a token and at most a report's worth of ids */
    static final int MAX_GIVE_BACK = 64 * 1024;
    private static final Set<String> GIVE_BACK_FIELDS = Set.of("token", "resultIds");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final WorkerProtocol protocol;
    private final GiveBackTokens giveBacks;
    private final PeerAddresses addresses;
    private final StarlingProperties.Browser limits;

    BrowserController(WorkerProtocol protocol, GiveBackTokens giveBacks, PeerAddresses addresses,
            StarlingProperties properties) {
        this.protocol = protocol;
        this.giveBacks = giveBacks;
        this.addresses = addresses;
        this.limits = properties.browser();
    }

    /**
     * Registers the tab as a host of the signed-in volunteer, or as the host it was before when it sends back the
     * {@code hostId} and {@code hostToken} it kept: only a browser host of the same volunteer may be taken up again.
     */
    @PostMapping("/register")
    ResponseEntity<String> register(Caller caller, @RequestHeader(value = PROTOCOL, required = false) String version,
            HttpServletRequest request) throws IOException {
        protocol.checkProtocol(version);
        RegisterRequest.Builder b = BrowserJson.parse(body(request, limits.maxBody().toBytes()),
                RegisterRequest.newBuilder());
        if (b.getProtocolVersion() == 0) {
            b.setProtocolVersion(Integer.parseInt(version.strip())); // checkProtocol took it
        }
        if (!b.hasWasm()) {
            throw invalid("wasm.memoryMib: a browser host runs deployed (WebAssembly) apps only; say how much memory"
                    + " (MiB) it gives them");
        }
        // what the page says of itself is bounded, not refused: a user agent is whatever the browser makes it
        String name = summary(b.getName(), MAX_NAME);
        String arch = summary(b.getArch(), MAX_NAME);
        String page = summary(b.getWorkerVersion(), MAX_VERSION);
        b.setName(name.isEmpty() ? AuthenticatedHost.BROWSER : name)
                .setOs(AuthenticatedHost.BROWSER)
                .setArch(arch.isEmpty() ? "wasm32" : arch)
                // "browser ...": the page this coordinator serves, never taken for an old Java worker (WorkerVersions)
                .setWorkerVersion(page.isEmpty() ? AuthenticatedHost.BROWSER : AuthenticatedHost.BROWSER + " " + page)
                .clearApps() // a tab runs no built-in (Java) app
                .clearPeerAddress(); // nor serves peers
        if (Integer.compareUnsigned(b.getCores(), limits.maxCores()) > 0) {
            b.setCores(limits.maxCores());
        }
        if (Integer.compareUnsigned(b.getWasm().getMemoryMib(), limits.maxMemoryMib()) > 0) {
            b.setWasm(WasmCapability.newBuilder().setMemoryMib(limits.maxMemoryMib()));
        }
        checkClaimedHost(b, caller.id());
        RegisterResponse r = protocol.register(b.build(), addresses.client(request), caller.id());
        ObjectNode answer = BrowserJson.tree(r);
        giveBackToken(answer, r.getHostId());
        return json(answer);
    }

    /**
     * A tab that sends back an identity it kept may take up that host only when it is a browser host of the same
     * volunteer: PERMISSION_DENIED otherwise (the page forgets it and registers anew). An identity the coordinator does
     * not know (a revoked token, say) goes on to Register, which makes a new host or brings the revoked one back.
     */
    private void checkClaimedHost(RegisterRequest.Builder b, long volunteer) {
        if (b.getHostId() == 0 && b.getHostToken().isEmpty()) {
            return;
        }
        AuthenticatedHost claimed;
        try {
            claimed = protocol.authenticate("Bearer " + b.getHostToken());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNAUTHENTICATED) {
                return;
            }
            throw e;
        }
        if (claimed.id() == b.getHostId()
                && (claimed.volunteerId() == null || claimed.volunteerId() != volunteer || !claimed.browser())) {
            throw Status.PERMISSION_DENIED.withDescription("host " + claimed.id() + " is not a browser host of the"
                    + " signed-in volunteer: register without hostId and hostToken to add this browser as a new host")
                    .asRuntimeException();
        }
    }

    @PostMapping("/work")
    ResponseEntity<String> work(@RequestHeader(value = PROTOCOL, required = false) String version,
            @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            HttpServletRequest request) throws IOException {
        return call(version, authorization, request, (host, body) -> BrowserJson.work(protocol.requestWork(host,
                BrowserJson.parse(body, RequestWorkRequest.newBuilder()).build())));
    }

    @PostMapping("/heartbeat")
    ResponseEntity<String> heartbeat(@RequestHeader(value = PROTOCOL, required = false) String version,
            @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            HttpServletRequest request) throws IOException {
        return call(version, authorization, request, (host, body) -> BrowserJson.tree(protocol.heartbeat(host,
                BrowserJson.parse(body, HeartbeatRequest.newBuilder()).build())));
    }

    @PostMapping("/report")
    ResponseEntity<String> report(@RequestHeader(value = PROTOCOL, required = false) String version,
            @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            HttpServletRequest request) throws IOException {
        return call(version, authorization, request,
                (host, body) -> BrowserJson.tree(protocol.reportResults(host, BrowserJson.report(body))));
    }

    /**
     * RotateToken: a new host token, asked for when a work or heartbeat answer says {@code rotateToken}. The token the
     * call was made with works until the new one is first used, so the page keeps the new one (localStorage) first.
     */
    @PostMapping("/rotate-token")
    ResponseEntity<String> rotateToken(@RequestHeader(value = PROTOCOL, required = false) String version,
            @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization,
            HttpServletRequest request) throws IOException {
        return call(version, authorization, request, (host, body) -> {
            BrowserJson.parse(body, RotateTokenRequest.newBuilder()); // empty, but no unknown fields either
            return BrowserJson.tree(protocol.rotateToken(host));
        });
    }

    /** A call made with a host token: its host, its body read (bounded), its answer as JSON. */
    private ResponseEntity<String> call(String version, String authorization, HttpServletRequest request,
            BiFunction<AuthenticatedHost, String, JsonNode> call) throws IOException {
        AuthenticatedHost host = host(version, authorization);
        return json(call.apply(host, body(request, limits.maxBody().toBytes())));
    }

    /** A fresh give-back token for the calling host (the page renews it well before it expires). */
    @PostMapping("/give-back-token")
    ResponseEntity<String> giveBackToken(@RequestHeader(value = PROTOCOL, required = false) String version,
            @RequestHeader(value = HttpHeaders.AUTHORIZATION, required = false) String authorization) {
        AuthenticatedHost host = host(version, authorization);
        ObjectNode answer = JSON.createObjectNode();
        giveBackToken(answer, host.id());
        return json(answer);
    }

    /**
     * Gives the named tasks of the token's host back (as a worker's GIVEN_BACK failures): what a tab sends with
     * {@code navigator.sendBeacon} when it stops or closes. The body is JSON whatever its content type says (a beacon of
     * a string is {@code text/plain}); the answer is 204 whatever became of each task (a task no longer the host's is
     * left alone).
     */
    @PostMapping("/give-back")
    ResponseEntity<Void> giveBack(HttpServletRequest request) throws IOException {
        JsonNode body;
        try {
            body = JSON.readTree(body(request, MAX_GIVE_BACK));
        } catch (JacksonException e) {
            throw invalid("the body must be JSON {\"token\": \"<giveBackToken>\", \"resultIds\": [\"1\", ...]}");
        }
        if (body == null || !body.isObject()) {
            throw invalid("the body must be a JSON object {\"token\": \"<giveBackToken>\", \"resultIds\": [\"1\", ...]}");
        }
        for (String field : body.propertyNames()) {
            if (!GIVE_BACK_FIELDS.contains(field)) {
                throw invalid(field + ": unknown field; known fields: resultIds, token");
            }
        }
        JsonNode token = body.get("token");
        long host = giveBacks.host(token != null && token.isString() ? token.stringValue() : null)
                .orElseThrow(() -> Status.UNAUTHENTICATED.withDescription("token: not a current give-back token (they"
                        + " expire; POST " + BASE + "/give-back-token renews one)").asRuntimeException());
        JsonNode ids = body.get("resultIds");
        if (ids == null || !ids.isArray() || ids.size() > WorkerProtocol.MAX_RESULTS) {
            throw invalid("resultIds must be an array of at most " + WorkerProtocol.MAX_RESULTS + " result ids");
        }
        ReportResultsRequest.Builder report = ReportResultsRequest.newBuilder();
        for (JsonNode id : ids) {
            report.addResults(TaskResult.newBuilder().setResultId(resultId(id)).setFailure(Failure.newBuilder()
                    .setKind(Failure.Kind.GIVEN_BACK).setMessage("the browser tab stopped or closed")));
        }
        if (report.getResultsCount() > 0) {
            protocol.reportResults(host, report.build());
            log.debug("Host {} gave back {} tasks as its tab closed", host, report.getResultsCount());
        }
        return ResponseEntity.noContent().build();
    }

    /** Text a page gives about itself, on one line: control characters as spaces, runs of spaces as one, cut. */
    static String summary(String text, int max) {
        StringBuilder b = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length() && b.length() < max; i++) {
            char c = text.charAt(i);
            boolean space = Character.isWhitespace(c) || Text.isControl(c);
            if (!space) {
                b.append(c);
            } else if (!b.isEmpty() && b.charAt(b.length() - 1) != ' ') {
                b.append(' ');
            }
        }
        if (!b.isEmpty() && Character.isHighSurrogate(b.charAt(b.length() - 1))) {
            b.setLength(b.length() - 1); // never half a pair
        }
        return b.toString().strip();
    }

    /** A result id as the protocol's JSON writes an int64 (a string), or as a plain JSON number. */
    private static long resultId(JsonNode id) {
        String text = id.isString() ? id.stringValue() : id.isIntegralNumber() && id.canConvertToLong()
                ? Long.toString(id.longValue()) : null;
        try {
            return Long.parseLong(text == null ? "" : text);
        } catch (NumberFormatException e) {
            throw invalid("resultIds: '" + Text.clean(String.valueOf(id), 40) + "' is not a result id");
        }
    }

    /** The host of a call made with its host token, after its protocol version: browser hosts only. */
    private AuthenticatedHost host(String version, String authorization) {
        protocol.checkProtocol(version);
        AuthenticatedHost host = protocol.authenticate(authorization);
        if (!host.browser()) {
            throw Status.PERMISSION_DENIED.withDescription("host " + host.id() + " is not a browser host: workers speak"
                    + " the worker protocol over gRPC").asRuntimeException();
        }
        return host;
    }

    private void giveBackToken(ObjectNode answer, long hostId) {
        GiveBackTokens.Issued issued = giveBacks.issue(hostId);
        answer.put("giveBackToken", issued.token());
        answer.put("giveBackTokenExpiresEpochMillis", Long.toString(issued.expires().toEpochMilli()));
    }

    /** The request body as text, refused when it is longer than {@code max} bytes (413). */
    static String body(HttpServletRequest request, long max) throws IOException {
        if (request.getContentLengthLong() > max) {
            throw new ContentTooLargeException("the body has " + request.getContentLengthLong() + " bytes; this call"
                    + " takes at most " + max);
        }
        byte[] bytes;
        try (InputStream in = request.getInputStream()) {
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
        }
        if (bytes.length > max) {
            throw new ContentTooLargeException("the body has more than " + max + " bytes, the most this call takes");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static ResponseEntity<String> json(JsonNode answer) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(JSON.writeValueAsString(answer));
    }

    private static StatusRuntimeException invalid(String description) {
        return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
    }
}
