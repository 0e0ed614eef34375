package dev.starling.cli;

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
 * The command line run in-process, as a shell would run it: environment variables, standard input, a config file
 * location (none there unless a test writes one) and whether a terminal watches; stdout and stderr captured.
 */
final class Cli {
    final Map<String, String> env = new HashMap<>();
    byte[] stdin = new byte[0];
    boolean interactive;
    Path configFile;

    Cli(Path home) {
        this.configFile = home.resolve("cli.properties");
    }

    record Result(int exitCode, String out, String err, byte[] stdout) {}

    Result run(String... args) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        StringWriter err = new StringWriter();
        PrintWriter out = new PrintWriter(new OutputStreamWriter(stdout, StandardCharsets.UTF_8), true);
        Environment environment = new Environment(env, new ByteArrayInputStream(stdin), stdout, interactive, configFile);
        int exitCode = StarlingCli.commandLine(out, new PrintWriter(err, true), environment).execute(args);
        out.flush();
        return new Result(exitCode, stdout.toString(StandardCharsets.UTF_8), err.toString(), stdout.toByteArray());
    }
}
