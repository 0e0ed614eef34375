package dev.starling.coordinator.browser;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import dev.starling.coordinator.app.AppCatalog;
import dev.starling.coordinator.support.Text;
import dev.starling.proto.v1.ReportResultsRequest;
import dev.starling.proto.v1.RequestWorkResponse;
import dev.starling.proto.v1.Task;
import dev.starling.proto.v1.WasmOutput;
import dev.starling.proto.v1.WasmOutputFile;
import dev.starling.proto.v1.WasmWorkUnit;
import dev.starling.sdk.ContentAddress;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The worker protocol's messages as the browser facade reads and writes them: protobuf's canonical JSON
 * ({@link JsonFormat}: lowerCamelCase names, bytes in base64, 64-bit integers as strings, enums by name), unknown fields
 * refused, every field printed (an empty list is {@code []}, not left out), with the facade's additions: a deployed
 * app's task carries its decoded {@code wasm} work unit, and a report may carry a {@code wasmOutput} instead of the
 * output bytes, which is encoded here exactly as the Java worker encodes it ({@link #encode}).
 */
final class BrowserJson {
    private static final JsonFormat.Parser PARSER = JsonFormat.parser();
    private static final JsonFormat.Printer PRINTER =
            JsonFormat.printer().alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** how much of a parser's complaint is told back */
    private static final int MAX_COMPLAINT = 300;

    private BrowserJson() {}

    /** The body as the message {@code builder} builds; INVALID_ARGUMENT naming the message when it is not one. */
    static <B extends Message.Builder> B parse(String body, B builder) {
        if (body == null || body.isBlank()) {
            throw invalid("the request needs a JSON body: a " + builder.getDescriptorForType().getName()
                    + " in protobuf's JSON form");
        }
        try {
            PARSER.merge(body, builder);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw invalid("the body is not a " + builder.getDescriptorForType().getName() + " in protobuf's JSON form: "
                    + Text.clean(String.valueOf(e.getMessage()), MAX_COMPLAINT));
        }
        return builder;
    }

    /** The message as a JSON object. */
    static ObjectNode tree(MessageOrBuilder message) {
        try {
            return (ObjectNode) JSON.readTree(PRINTER.print(message));
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print a " + message.getDescriptorForType().getName(), e);
        }
    }

    /** The answer to RequestWork: each deployed app's task with its work unit decoded as {@code wasm}. */
    static ObjectNode work(RequestWorkResponse response) {
        ObjectNode tree = tree(response);
        JsonNode tasks = tree.get("tasks");
        for (int i = 0; i < response.getTasksCount(); i++) {
            Task task = response.getTasks(i);
            if (AppCatalog.isDeployed(task.getApp())) {
                try {
                    ((ObjectNode) tasks.get(i)).set("wasm", tree(WasmWorkUnit.parseFrom(task.getInput())));
                } catch (InvalidProtocolBufferException e) {
                    // written by the coordinator from a checked work unit: the input stays, as base64, for the page
                    throw new IllegalStateException("task " + task.getResultId() + " has no WasmWorkUnit input", e);
                }
            }
        }
        return tree;
    }

    /**
     * A report: each {@code success.wasmOutput} ({@code {"stdout": "<base64>", "files": [{"name", "content"}]}}) is
     * replaced by the {@code output}, {@code outputHash} and {@code outputSize} of its {@link #encode encoding}; a
     * success with a {@code wasmOutput} may carry none of those three itself.
     */
    static ReportResultsRequest report(String body) {
        JsonNode tree;
        try {
            tree = body == null || body.isBlank() ? null : JSON.readTree(body);
        } catch (JacksonException e) {
            throw invalid("the body is not well-formed JSON: " + Text.clean(e.getOriginalMessage(), MAX_COMPLAINT));
        }
        if (tree != null && tree.get("results") != null && tree.get("results").isArray()) {
            int i = 0;
            for (JsonNode result : tree.get("results")) {
                JsonNode success = result.get("success");
                if (success instanceof ObjectNode s && s.has("wasmOutput")) {
                    String at = "results[" + i + "].success";
                    for (String field : List.of("output", "outputHash", "outputSize")) {
                        if (s.has(field)) {
                            throw invalid(at + " has both wasmOutput and " + field + ": send one or the other");
                        }
                    }
                    JsonNode given = s.remove("wasmOutput");
                    if (!given.isObject()) {
                        throw invalid(at + ".wasmOutput must be an object {\"stdout\": \"<base64>\", \"files\": [...]}");
                    }
                    byte[] output = encode(parse(JSON.writeValueAsString(given), WasmOutput.newBuilder()).build());
                    s.put("output", Base64.getEncoder().encodeToString(output));
                    s.put("outputHash", ContentAddress.of(output));
                    s.put("outputSize", Integer.toString(output.length));
                }
                i++;
            }
        }
        return parse(tree == null ? null : JSON.writeValueAsString(tree), ReportResultsRequest.newBuilder()).build();
    }

    /**
     * The bytes the Java worker reports for a module's output (its {@code WasmTaskRunner}): a {@link WasmOutput}
     * whose files are in name order (String order, as its TreeMap has them), serialized by protobuf. Names are not
     * judged here: the coordinator checks every envelope of a deployed app's output the same way, whoever sent it.
     */
    static byte[] encode(WasmOutput given) {
        List<WasmOutputFile> files = new ArrayList<>(given.getFilesList());
        files.sort(Comparator.comparing(WasmOutputFile::getName));
        return WasmOutput.newBuilder().setStdout(given.getStdout()).addAllFiles(files).build().toByteArray();
    }

    private static StatusRuntimeException invalid(String description) {
        return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
    }
}
