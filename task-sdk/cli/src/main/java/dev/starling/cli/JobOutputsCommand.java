package dev.starling.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code starling job outputs}: {@code GET /api/v1/jobs/{id}/outputs}, or with {@code --result} the output of its
 * reduce step ({@code GET /api/v1/jobs/{id}/result/output}), streamed to a file or stdout.
 */
@Command(name = "outputs", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fetches the outputs of a deployed app's job: the validated standard output of every work"
                + " unit, concatenated in work-unit order, once the job has succeeded; or, with --result, the output"
                + " of its reduce step, the job's result. Streamed, so any size fits; a file is written whole or not"
                + " at all (a broken download leaves none).",
        footer = {
            "",
            "Examples:",
            "  starling job outputs 12 -o collatz.txt",
            "  starling job outputs 12 --ndjson --partial -o so-far.ndjson",
            "  starling job outputs 12 --result",
            "",
            ExitCodes.HELP,
        })
final class JobOutputsCommand implements Callable<Integer> {
    private final Environment environment;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB", converter = Converters.JobId.class, description = "The job's id.")
    private long id;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write them (default: stdout).")
    private Path output;

    @Option(names = "--ndjson", description = "One JSON line per work unit: its index, its output (as text, or"
            + " base64), and the blob ids of the files it wrote under /output/.")
    private boolean ndjson;

    @Option(names = "--partial", description = "Those validated so far, while the job runs.")
    private boolean partial;

    @Option(names = "--result", description = "The output of the job's reduce step (submitted with --reduce) instead.")
    private boolean result;


    @Mixin
    private Connection connection;

    JobOutputsCommand(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws IOException {
        if (result && (ndjson || partial)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--result is the reduce step's output alone: not with --ndjson or --partial");
        }
        Api api = connection.api(environment, spec).withKey();
        String query = (ndjson ? "&format=ndjson" : "") + (partial ? "&partial=true" : "");
        String path = result ? "api/v1/jobs/" + id + "/result/output"
                : "api/v1/jobs/" + id + "/outputs" + (query.isEmpty() ? "" : "?" + query.substring(1));
        if (output == null) {
            spec.commandLine().getOut().flush();
            try (InputStream in = api.download(path)) {
                transfer(in, environment.stdout());
            }
            environment.stdout().flush();
            return ExitCodes.OK;
        }
        long bytes;
        try (InputStream in = api.download(path)) {
            bytes = LocalFiles.writeWhole(output, out -> transfer(in, out));
        }
        spec.commandLine().getErr().println("wrote " + bytes + " bytes to " + output);
        return ExitCodes.OK;
    }

    /** Copies the download; a read that fails is the network's fault, a write that fails the local disk's. */
    private static long transfer(InputStream in, OutputStream out) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        while (true) {
            int n;
            try {
                n = in.read(buffer);
            } catch (IOException e) {
                throw new CliException(ExitCodes.UNAVAILABLE, "the download broke off after " + total + " bytes: "
                        + LocalFiles.describe(e) + "; try again", e);
            }
            if (n < 0) {
                return total;
            }
            out.write(buffer, 0, n);
            total += n;
        }
    }
}
