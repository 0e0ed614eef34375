package dev.starling.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code starling blob upload}: {@code POST /api/v1/blobs} with each file's bytes. */
@Command(name = "upload", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Uploads files as blobs and prints each one's id (sha256:...), one line per file, in order:"
                + " what a job names as an input. The same bytes always give the same id.",
        footer = {
            "",
            "Examples:",
            "  starling blob upload table.dat",
            "  TABLE=$(starling blob upload table.dat)",
            "",
            ExitCodes.HELP,
        })
final class BlobUploadCommand implements Callable<Integer> {
    private final Environment environment;

    @Spec
    private CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "The files to upload.")
    private List<Path> files;

    @Mixin
    private Connection connection;

    BlobUploadCommand(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        files.forEach(file -> LocalFiles.existing(file, "file"));
        Api api = connection.api(environment, spec).withKey();
        for (Path file : files) {
            JsonNode blob = upload(api, file);
            spec.commandLine().getOut().println(blob.path("id").asString());
            spec.commandLine().getErr().println("uploaded " + file + " (" + blob.path("size").asLong() + " bytes)");
        }
        return ExitCodes.OK;
    }

    /** Uploads one file: {@code {"id": "sha256:...", "size": n}}. */
    static JsonNode upload(Api api, Path file) {
        return api.postFile("api/v1/blobs", file, "application/octet-stream");
    }
}
