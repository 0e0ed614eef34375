package dev.starling.cli;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** {@code starling app deploy}: {@code POST /api/v1/apps} with the manifest and the module. */
@Command(name = "deploy", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Deploys a WebAssembly module as a version of an app: the manifest names it (name, version)"
                + " and sets its limits, validation and credit. A version is immutable: the same name and version with"
                + " other bytes is refused. Prints name@version.",
        footer = {
            "",
            "Example:",
            "  starling app deploy collatz.wasm --manifest collatz.json",
            "  starling app deploy collatz.wasm --manifest collatz.json --signature collatz.json.sig",
            "",
            ExitCodes.HELP,
        })
final class AppDeployCommand implements Callable<Integer> {
    private final Environment environment;

    @Spec
    private CommandSpec spec;

    @Option(names = "--manifest", paramLabel = "FILE", required = true, description = "The app's manifest (JSON).")
    private Path manifest;

    @Parameters(index = "0", paramLabel = "MODULE", description = "The module (.wasm).")
    private Path module;

    @Option(names = "--signature", paramLabel = "FILE", description = "The project's signature of this version"
            + " (app sign), for a coordinator that runs only signed apps.")
    private Path signature;

    @Mixin
    private Connection connection;

    AppDeployCommand(Environment environment) {
        this.environment = environment;
    }

    @Override
    public Integer call() {
        ObjectNode manifestJson = LocalFiles.jsonObject(LocalFiles.read(manifest, "manifest"), "manifest " + manifest);
        LocalFiles.existing(module, "module");
        byte[] signatureJson = signature == null ? null : LocalFiles.jsonObject(LocalFiles.read(signature,
                "signature"), "signature " + signature).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Api api = connection.api(environment, spec).withKey();
        Api.Answer answer;
        try {
            List<Api.Part> parts = new ArrayList<>(List.of(
                    new Api.Part("manifest", null, "application/json",
                            HttpRequest.BodyPublishers.ofString(manifestJson.toString())),
                    new Api.Part("module", String.valueOf(module.getFileName()), "application/wasm",
                            HttpRequest.BodyPublishers.ofFile(module))));
            if (signatureJson != null) {
                parts.add(new Api.Part("signature", null, "application/json",
                        HttpRequest.BodyPublishers.ofByteArray(signatureJson)));
            }
            answer = api.postMultipart("api/v1/apps", parts);
        } catch (java.io.FileNotFoundException e) {
            throw CliException.invalid("cannot read the module " + module + ": no such file");
        }
        JsonNode version = answer.body();
        String app = version.path("app").asString(manifestJson.path("name").asString("?") + "@"
                + manifestJson.path("version").asString("?"));
        spec.commandLine().getOut().println(app);
        spec.commandLine().getErr().println((answer.status() == 201 ? "deployed " : "already deployed, with these bytes: ")
                + app + ", module " + version.path("module").asString("?") + " (" + version.path("moduleSize").asLong()
                + " bytes), " + version.path("state").asString("?"));
        return ExitCodes.OK;
    }
}
