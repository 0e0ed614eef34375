package dev.starling.coordinator.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.starling.proto.v1.ReportResultsRequest;
import dev.starling.proto.v1.Success;
import dev.starling.proto.v1.WasmOutput;
import dev.starling.proto.v1.WasmOutputFile;
import dev.starling.sdk.ContentAddress;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

/** The facade's JSON: a report's {@code wasmOutput} becomes the bytes a Java worker reports; strict parsing. */
class BrowserJsonTest {

    @Test
    void aWasmOutputIsEncodedAsTheJavaWorkerEncodesIt() {
        ReportResultsRequest report = BrowserJson.report("{\"results\":[{\"resultId\":\"42\",\"success\":{\"wasmOutput\":"
                + "{\"stdout\":\"aGk=\",\"files\":[{\"name\":\"z\",\"content\":\"Wg==\"},{\"name\":\"B\",\"content\":\"\"},"
                + "{\"name\":\"a\",\"content\":\"QQ==\"}]}}}]}");

        // the Java worker: a TreeMap of the files (String order: upper case first), then toByteArray
        byte[] worker = WasmOutput.newBuilder().setStdout(ByteString.copyFromUtf8("hi"))
                .addFiles(file("B", "")).addFiles(file("a", "A")).addFiles(file("z", "Z")).build().toByteArray();
        Success success = report.getResults(0).getSuccess();
        assertThat(report.getResults(0).getResultId()).isEqualTo(42);
        assertThat(success.getOutput().toByteArray()).isEqualTo(worker);
        assertThat(success.getOutputHash()).isEqualTo(ContentAddress.of(worker));
        assertThat(success.getOutputSize()).isEqualTo(worker.length);
    }

    @Test
    void aReportWithoutWasmOutputIsTakenAsSent() {
        ReportResultsRequest report = BrowserJson.report("{\"results\":[{\"resultId\":\"1\",\"failure\":"
                + "{\"kind\":\"GIVEN_BACK\",\"message\":\"stopped\"}}]}");
        assertThat(report.getResults(0).getFailure().getMessage()).isEqualTo("stopped");
    }

    @Test
    void malformedOrUnknownFieldsAreInvalidArguments() {
        for (String body : new String[] {"", "{", "[]", "{\"results\":[{\"resultId\":\"1\",\"oops\":1}]}",
                "{\"results\":[{\"resultId\":\"1\",\"success\":{\"wasmOutput\":[]}}]}",
                "{\"results\":[{\"resultId\":\"1\",\"success\":{\"output\":\"\",\"wasmOutput\":{}}}]}"}) {
            assertThatThrownBy(() -> BrowserJson.report(body)).as(body)
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        }
    }

    @Test
    void aPageSummaryIsOneBoundedLine() {
        assertThat(BrowserController.summary("  Chrome\n131\t on\u0000Linux  ", 100)).isEqualTo("Chrome 131 on Linux");
        assertThat(BrowserController.summary("x".repeat(500), 100)).hasSize(100);
    }

    private static WasmOutputFile file(String name, String content) {
        return WasmOutputFile.newBuilder().setName(name).setContent(ByteString.copyFromUtf8(content)).build();
    }
}
