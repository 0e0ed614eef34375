package dev.starling.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code starling job cancel}: {@code POST /api/v1/jobs/{id}/cancel}. */
@Command(name = "cancel", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Cancels a job: its open work units are cancelled and workers drop its tasks at their next"
                + " contact. Cancelling a cancelled job changes nothing; a finished one is refused.",
        footer = {"", ExitCodes.HELP})
final class JobCancelCommand implements Callable<Integer> {
    private final Environment environment;

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "JOB", converter = Converters.JobId.class, description = "The job's id.")
    private long id;

    @Mixin
    private Connection connection;

    JobCancelCommand(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        Api api = connection.api(environment, spec).withKey();
        JsonNode job = api.post("api/v1/jobs/" + id + "/cancel", "");
        spec.commandLine().getOut().println("job " + id + " " + job.path("state").asString());
        return ExitCodes.OK;
    }
}
