package dev.starling.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code starling app list}: {@code GET /api/v1/apps} as a table. */
@Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Lists the apps the coordinator runs: the built-in ones and those deployed that you may run.",
        footer = {"", ExitCodes.HELP})
final class AppListCommand implements Callable<Integer> {
    private final Environment environment;

    @Spec
    private CommandSpec spec;

    @Option(names = "--json", description = "The coordinator's answer as it is (JSON).")
    private boolean json;

    @Mixin
    private Connection connection;

    AppListCommand(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        JsonNode apps = new Api(connection.resolve(environment, spec.commandLine().getErr()::println)).get("api/v1/apps");
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(LocalFiles.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(apps));
            return ExitCodes.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "VERSION", "DESCRIPTION"});
        for (JsonNode app : apps) {
            rows.add(new String[] {app.path("name").asString(""), app.path("version").asString(""),
                app.path("description").asString("").strip().replaceAll("\\s+", " ")});
        }
        int[] widths = new int[2];
        for (String[] row : rows) {
            widths[0] = Math.max(widths[0], row[0].length());
            widths[1] = Math.max(widths[1], row[1].length());
        }
        for (String[] row : rows) {
            out.println(String.format("%-" + widths[0] + "s  %-" + widths[1] + "s  %s", row[0], row[1], row[2]).strip());
        }
        return ExitCodes.OK;
    }
}
