package dev.starling.coordinator.researchercli;

import dev.starling.cli.Environment;
import dev.starling.cli.StarlingCli;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The researcher's command line run in this JVM as a shell would run it, pointed at a coordinator through
 * {@code STARLING_API_URL} and {@code STARLING_API_KEY}: stdout and stderr captured, no terminal unless asked.
 */
public final class ResearcherCli {
    final Map<String, String> env = new HashMap<>();
    byte[] stdin = new byte[0];
    boolean interactive;
    final Path configFile;
    /** The standard error of the latest run, as it is written (for a test that waits on what a run printed). */
    volatile StringWriter err = new StringWriter();

    public ResearcherCli(int httpPort, String key, Path home) {
        env.put("STARLING_API_URL", "http://localhost:" + httpPort);
        if (key != null) {
            env.put("STARLING_API_KEY", key);
        }
        this.configFile = home.resolve("cli.properties");
    }

    public record Result(int exitCode, String out, String err, byte[] stdout) {}

    public Result run(String... args) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        this.err = err;
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
        Environment environment = new Environment(env, new ByteArrayInputStream(stdin), stdout, interactive, configFile);
        int exitCode = StarlingCli.commandLine(out, new PrintWriter(err, true), environment).execute(args);
        out.flush();
        return new Result(exitCode, stdout.toString(StandardCharsets.UTF_8), err.toString(), stdout.toByteArray());
    }
}
