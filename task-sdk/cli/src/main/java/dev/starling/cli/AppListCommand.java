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
        description = "Lists the apps the coordinator runs: the built-in ones, then the deployed ones you may run"
                + " (yours and those shared with every researcher), each with its newest enabled version.",
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
        JsonNode apps = connection.api(environment, spec).get("api/v1/apps");
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(LocalFiles.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(apps));
            return ExitCodes.OK;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "VERSION", "KIND", "DESCRIPTION"});
        for (JsonNode app : apps) {
            rows.add(new String[] {app.path("name").asString(""), app.path("version").asString("-"),
                app.path("kind").asString("built-in") + (app.path("shared").asBoolean(false) ? ", shared" : ""),
                app.path("description").asString("").strip().replaceAll("\\s+", " ")});
        }
        int[] widths = new int[3];
        for (String[] row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        String format = "%-" + widths[0] + "s  %-" + widths[1] + "s  %-" + widths[2] + "s  %s";
        for (String[] row : rows) {
            out.println(String.format(format, (Object[]) row).strip());
        }
        return ExitCodes.OK;
    }
}
