package dev.starling.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code starling job submit}: {@code POST /api/v1/jobs} from a JSON file or from flags. */
@Command(name = "submit", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Submits a job and prints its id. The job is a JSON file (the body of POST /api/v1/jobs; -"
                + " reads stdin), or flags: --app, then a parameter sweep (--sweep-from/-to/-step with --arg templates,"
                + " where {from}, {to} and {index} are replaced for each work unit), or --arg alone for one work unit,"
                + " or --param for a built-in app's parameters.",
        footer = {
            "",
            "Examples:",
            "  starling job submit job.json",
            "  starling job submit --app collatz --sweep-from 1 --sweep-to 1000000 \\",
            "      --sweep-step 1000 --arg {from} --arg {to}",
            "  starling job submit --app fit@2.1.0 --file table.dat=./table.dat \\",
            "      --arg --steps --arg 100 --watch",
            "  starling job submit --app primes --param from=0 --param to=100000000 \\",
            "      --param chunkSize=1000000",
            "  starling job submit --app squares --sweep-from 1 --sweep-to 1000 --sweep-step 100 \\",
            "      --arg {to} --reduce sum@1.0.0",
            "",
            ExitCodes.HELP,
        })
final class JobSubmitCommand implements Callable<Integer> {
    private final Environment environment;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "FILE", description = "The job as JSON; - for stdin.")
    private String file;

    @Option(names = "--app", paramLabel = "NAME[@VERSION]",
            description = "The app (a deployed app's newest enabled version unless @VERSION is given).")
    private String app;

    @Option(names = "--sweep-from", paramLabel = "N", description = "The sweep's first value.")
    private Long sweepFrom;

    @Option(names = "--sweep-to", paramLabel = "N", description = "The sweep's end.")
    private Long sweepTo;

    @Option(names = "--sweep-step", paramLabel = "N", description = "How far each work unit goes.")
    private Long sweepStep;

    @Option(names = "--arg", paramLabel = "ARG",
            description = "An argument of each work unit, in order (with {from}, {to}, {index} in a sweep). Repeatable.")
    private List<String> args = new ArrayList<>();

    @Option(names = "--file", paramLabel = "NAME=BLOB|PATH",
            description = "A file every work unit reads at /input/NAME: a blob id (sha256:...), or a local file, which"
                    + " is uploaded first. Repeatable.")
    private List<String> files = new ArrayList<>();

    @Option(names = "--param", paramLabel = "NAME=VALUE",
            description = "A parameter (VALUE as JSON when it is JSON: 10, true, \"x\"; as text otherwise). Repeatable.")
    private List<String> params = new ArrayList<>();

    @Option(names = "--reduce", paramLabel = "NAME[@VERSION]",
            description = "A deployed app that reduces the job's outputs on workers once its work units are done (its"
                    + " standard input and /input/outputs are the outputs in work-unit order); its output is the"
                    + " job's result ('job outputs --result').")
    private String reduce;

    @Option(names = "--reduce-arg", paramLabel = "ARG", description = "An argument of the reduce app. Repeatable.")
    private List<String> reduceArgs = new ArrayList<>();

    @Option(names = "--quorum", paramLabel = "N", description = "How many agreeing results make a work unit's.")
    private Integer quorum;

    @Option(names = "--max-failed", paramLabel = "N",
            description = "How many work units may fail with the job still succeeding (maxFailedWorkUnits).")
    private Integer maxFailed;

    @Option(names = "--deadline", paramLabel = "SECONDS", description = "How long a host has for a task.")
    private Integer deadline;

    @Option(names = "--priority", paramLabel = "N", description = "Among your own jobs, higher is dispatched first (-1000 to 1000).")
    private Integer priority;

    @Option(names = "--watch", description = "Then follow it as 'job watch' does, and exit with its final state.")
    private boolean watch;

    @Mixin
    private JobWatchCommand.WatchOptions watchOptions;

    @Mixin
    private Connection connection;

    JobSubmitCommand(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() throws InterruptedException {
        watchOptions.check(spec);
        ObjectNode body = file != null ? fromFile() : fromFlags();
        Api api = connection.api(environment, spec).withKey();
        if (file == null && body.path("params").path("files") instanceof ObjectNode shared) {
            List.copyOf(shared.propertyNames()).forEach(name -> shared.put(name, blob(api, shared.path(name).asString())));
        }
        JsonNode job = api.post("api/v1/jobs", body.toString());
        long id = job.path("id").asLong();
        spec.commandLine().getOut().println(id);
        spec.commandLine().getOut().flush();
        spec.commandLine().getErr().println("submitted job " + id + " (" + job.path("app").asString(app) + ", "
                + job.path("state").asString() + ")" + (watch ? "" : "; follow it with: starling job watch " + id));
        return watch ? watchOptions.watcher(api, spec, environment).follow(id) : ExitCodes.OK;
    }

    private ObjectNode fromFile() {
        if (app != null || sweepFrom != null || sweepTo != null || sweepStep != null || !args.isEmpty()
                || !files.isEmpty() || !params.isEmpty() || quorum != null || maxFailed != null || deadline != null
                || priority != null || reduce != null || !reduceArgs.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "give a job file or flags (--app, ...), not both");
        }
        return LocalFiles.jsonObject(LocalFiles.read(file, environment.stdin(), "job file"), "job file " + file);
    }

    private ObjectNode fromFlags() {
        if (app == null) {
            throw new ParameterException(spec.commandLine(), "give a job file, or --app and the job's work (for"
                    + " example --app collatz --sweep-from 1 --sweep-to 1000 --sweep-step 100 --arg {from} --arg {to})");
        }
        ObjectNode body = LocalFiles.JSON.createObjectNode().put("app", app);
        ObjectNode p = body.putObject("params");
        for (var param : pairs(params, "--param", "NAME=VALUE").entrySet()) {
            p.set(param.getKey(), value(param.getValue()));
        }
        boolean sweep = sweepFrom != null || sweepTo != null || sweepStep != null;
        if (sweep) {
            if (sweepFrom == null || sweepTo == null || sweepStep == null) {
                throw new ParameterException(spec.commandLine(), "--sweep-from, --sweep-to and --sweep-step go together");
            }
            if (sweepStep < 1) {
                throw new ParameterException(spec.commandLine(), "--sweep-step must be at least 1, was " + sweepStep);
            }
            if (sweepTo < sweepFrom) {
                throw new ParameterException(spec.commandLine(), "--sweep-to (" + sweepTo + ") is before --sweep-from ("
                        + sweepFrom + ")");
            }
            ObjectNode s = p.putObject("sweep").put("from", sweepFrom).put("to", sweepTo).put("step", sweepStep);
            args.forEach(s.putArray("args")::add);
        } else if (!args.isEmpty()) {
            ObjectNode unit = p.putArray("workUnits").addObject();
            args.forEach(unit.putArray("args")::add);
        }
        Map<String, String> named = pairs(files, "--file", "NAME=BLOB|PATH");
        if (!named.isEmpty()) {
            ObjectNode f = p.putObject("files");
            named.forEach((name, source) -> {
                if (!source.startsWith("sha256:")) {
                    LocalFiles.existing(Path.of(source), "file");
                }
                f.put(name, source);
            });
        }
        if (reduce != null) {
            ObjectNode step = body.putObject("reduce").put("app", reduce);
            reduceArgs.forEach(step.putArray("args")::add);
        } else if (!reduceArgs.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--reduce-arg goes with --reduce");
        }
        if (quorum != null) {
            body.putObject("redundancy").put("quorum", quorum);
        }
        if (maxFailed != null) {
            body.put("maxFailedWorkUnits", maxFailed);
        }
        if (deadline != null) {
            body.put("deadlineSeconds", deadline);
        }
        if (priority != null) {
            body.put("priority", priority);
        }
        return body;
    }

    /** A blob id as it is, or a local file (of --file) uploaded for its id. */
    private String blob(Api api, String source) {
        if (source.startsWith("sha256:")) {
            return source;
        }
        String id = BlobUploadCommand.upload(api, Path.of(source)).path("id").asString();
        spec.commandLine().getErr().println("uploaded " + source + " as " + id);
        return id;
    }

    private Map<String, String> pairs(List<String> values, String option, String form) {
        Map<String, String> pairs = new LinkedHashMap<>();
        for (String value : values) {
            int equals = value.indexOf('=');
            if (equals < 1) {
                throw new ParameterException(spec.commandLine(), option + " must be " + form + ", was '" + value + "'");
            }
            if (pairs.put(value.substring(0, equals), value.substring(equals + 1)) != null) {
                throw new ParameterException(spec.commandLine(), option + " " + value.substring(0, equals)
                        + " is given twice");
            }
        }
        return pairs;
    }

    /** The value as JSON when it is a JSON value (10, true, "x", [1,2]); as text otherwise (sin, sha256:...). */
    private static JsonNode value(String text) {
        try {
            JsonNode node = LocalFiles.JSON.readTree(text);
            if (node != null && !node.isMissingNode()) {
                return node;
            }
        } catch (JacksonException e) {
            // text
        }
        return LocalFiles.JSON.getNodeFactory().stringNode(text);
    }
}
