package dev.starling.coordinator.browser;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Serves folders over HTTP on loopback for browser tests that need no coordinator (the runner's conformance page),
 * with the headers the volunteer page has: cross-origin isolated (COOP and COEP, so SharedArrayBuffer and
 * Atomics.wait work) and a Content-Security-Policy allowing scripts and WebAssembly from the page's origin only.
 */
final class StaticServer implements AutoCloseable {
    static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; object-src 'none'; base-uri 'none'";
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "wasm", "application/wasm", "css", "text/css; charset=utf-8");

    private final HttpServer server;

    private StaticServer(HttpServer server) {
        this.server = server;
    }

    /** @param folders URL prefix (ending in "/") to the folder it serves */
    static StaticServer start(Map<String, Path> folders) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        folders.forEach((prefix, folder) -> server.createContext(prefix, exchange -> serve(exchange, prefix, folder)));
        server.createContext("/favicon.ico", exchange -> { // no icon, and no 404 in the browser's console for it
            try (exchange) {
                exchange.sendResponseHeaders(204, -1);
            }
        });
        server.start();
        return new StaticServer(server);
    }

    String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void serve(HttpExchange exchange, String prefix, Path folder) throws IOException {
        try (exchange) {
            Path root = folder.toAbsolutePath().normalize();
            Path file = root.resolve(exchange.getRequestURI().getPath().substring(prefix.length())).normalize();
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String name = file.getFileName().toString();
            String type = TYPES.getOrDefault(name.substring(name.lastIndexOf('.') + 1), "application/octet-stream");
            var headers = exchange.getResponseHeaders();
            headers.set("Content-Type", type);
            headers.set("Cross-Origin-Opener-Policy", "same-origin");
            headers.set("Cross-Origin-Embedder-Policy", "require-corp");
            headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
            headers.set("Cache-Control", "no-store");
            byte[] body = Files.readAllBytes(file);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
