package dev.starling.coordinator.app;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.starling.proto.v1.AppSignature;
import dev.starling.proto.v1.WasmInputFile;
import dev.starling.proto.v1.WasmLimits;
import dev.starling.proto.v1.WasmOutput;
import dev.starling.proto.v1.WasmOutputFile;
import dev.starling.proto.v1.WasmWorkUnit;
import dev.starling.sdk.App;
import dev.starling.sdk.AppInfo;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.JobParams;
import dev.starling.sdk.StagePlan;
import dev.starling.sdk.TaskContext;
import dev.starling.sdk.WorkUnit;
import dev.starling.sdk.WorkUnitSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A deployed (WebAssembly) app version as the coordinator's spine sees it: an {@link App} like the built-in ones, so
 * splitting, dispatch, validation and completion work unchanged. Its work units come from the job (a list, a JSON
 * lines blob or a sweep: {@link DeployedParams}); each one's input is a {@link WasmWorkUnit} and its blobs are the
 * module and its files, so the data plane delivers them; its outputs are {@link WasmOutput} envelopes, compared by the
 * manifest's {@link Validation}. The coordinator never runs it: {@link #compute} throws.
 */
public final class DeployedApp implements App {
    /** The input file, and standard input, of a reduce step's work unit: the outputs it reduces. */
    public static final String REDUCE_INPUT = "outputs";

    private final String name;
    private final String version;
    private final String module;
    private final Manifest manifest;
    private final DeployedParams params;
    private final AppSignature signature;

    /** @param signature the project's signature; null when it was deployed unsigned */
    DeployedApp(String name, String version, String module, Manifest manifest, DeployedParams params,
            AppSignature signature) {
        this.signature = signature;
        this.name = name;
        this.version = version;
        this.module = module;
        this.manifest = manifest;
        this.params = params;
    }

    /** What jobs and tasks name it: {@code name@version}. */
    public String id() {
        return name + "@" + version;
    }

    /** The module's blob id. */
    public String module() {
        return module;
    }

    Manifest manifest() {
        return manifest;
    }

    /** The project's signature, sent to workers with each task; empty when the version was deployed unsigned. */
    public Optional<AppSignature> signature() {
        return Optional.ofNullable(signature);
    }

    /** The CPU time one task may take: a job's deadline must leave room for it. */
    public int maxCpuSeconds() {
        return manifest.limits().maxCpuSeconds();
    }

    /** The most bytes of standard output one of its tasks may give. */
    public long maxOutputBytes() {
        return manifest.limits().maxOutputBytes();
    }

    /** Whether agreement between outputs is an equivalence (bitwise) or only a tolerance (numeric). */
    public boolean transitive() {
        return manifest.validation().transitive();
    }

    @Override
    public AppInfo info() {
        return new AppInfo(name, version, manifest.description(), List.of());
    }

    @Override
    public StagePlan split(JobParams jobParams) {
        return params.plan(this, jobParams);
    }

    /** The work unit at {@code index}, as the splitter writes it. */
    WorkUnitSpec workUnit(long index, DeployedWorkUnit unit, Map<String, String> sharedFiles) {
        Map<String, String> files = new java.util.TreeMap<>(sharedFiles);
        files.putAll(unit.files());
        WasmWorkUnit.Builder input = task(index, unit.args()).setStdin(ByteString.copyFromUtf8(unit.stdin()));
        // the module is the version's, not stored with each work unit: the claim adds it (RunnableApps.blobsOf)
        Set<String> blobs = new LinkedHashSet<>();
        files.forEach((file, blob) -> {
            input.addFiles(WasmInputFile.newBuilder().setName(file).setBlobId(blob));
            blobs.add(blob);
        });
        return new WorkUnitSpec(input.build().toByteArray(), manifest.creditPerWorkUnit() * unit.cost(),
                List.copyOf(blobs));
    }

    /** A task of this module with these arguments, its manifest's limits, and the seed of work unit {@code index}. */
    private WasmWorkUnit.Builder task(long index, List<String> args) {
        Manifest.Limits limits = manifest.limits();
        return WasmWorkUnit.newBuilder()
                .setModule(module)
                .addAllArgs(args)
                .setLimits(WasmLimits.newBuilder().setMemoryMib(limits.memoryMiB())
                        .setMaxCpuSeconds(limits.maxCpuSeconds()).setMaxOutputBytes(limits.maxOutputBytes())
                        .setMaxScratchBytes(limits.maxScratchBytes()))
                .setSeed(index)
                .setNondeterministic(!manifest.deterministic());
    }

    /**
     * A work unit of a reduce step that this app runs: its arguments, and the outputs it reduces (a blob, null for
     * none) read as its standard input and as {@code /input/outputs}. It earns the app's credit per work unit.
     */
    public WorkUnitSpec reduceWorkUnit(long index, List<String> args, String outputsBlob) {
        WasmWorkUnit.Builder input = task(index, args);
        if (outputsBlob == null) {
            return new WorkUnitSpec(input.build().toByteArray(), manifest.creditPerWorkUnit(), List.of());
        }
        input.addFiles(WasmInputFile.newBuilder().setName(REDUCE_INPUT).setBlobId(outputsBlob))
                .setStdinFile(REDUCE_INPUT);
        return new WorkUnitSpec(input.build().toByteArray(), manifest.creditPerWorkUnit(), List.of(outputsBlob));
    }

    /** The coordinator never runs researcher code: workers do, in their sandbox. */
    @Override
    public void compute(WorkUnit workUnit, TaskContext context) {
        throw new UnsupportedOperationException("deployed app " + id() + " runs on workers only");
    }

    /**
     * Whether two outputs agree: their standard outputs by the manifest's validation, the files they wrote under
     * {@code /output/} byte for byte (names and contents, in name order). An output that is no envelope agrees with
     * nothing (reports are checked when they arrive: {@link #outputProblem}).
     */
    @Override
    public boolean equivalent(WorkUnit workUnit, byte[] a, byte[] b) {
        WasmOutput x = decode(a);
        WasmOutput y = decode(b);
        return x != null && y != null && x.getFilesList().equals(y.getFilesList())
                && manifest.validation().agree(x.getStdout().toByteArray(), y.getStdout().toByteArray());
    }

    /** Why a reported output cannot be this app's, or null: it must be an envelope within the manifest's limits. */
    public String outputProblem(byte[] output) {
        WasmOutput envelope = decode(output);
        if (envelope == null) {
            return "the output is not a WasmOutput envelope (wasm.proto)";
        }
        if (envelope.getStdout().size() > manifest.limits().maxOutputBytes()) {
            return "the output's stdout has " + envelope.getStdout().size() + " bytes, more than the app's maxOutputBytes "
                    + manifest.limits().maxOutputBytes();
        }
        String previous = null;
        for (WasmOutputFile file : envelope.getFilesList()) {
            if (!DeployedWorkUnit.FILE_NAME.matcher(file.getName()).matches()) {
                return "the output names a file '" + file.getName() + "' under /output/, which is not a file name";
            }
            if (previous != null && previous.compareTo(file.getName()) >= 0) {
                return "the output's files are not in name order (" + previous + ", " + file.getName() + ")";
            }
            previous = file.getName();
        }
        return null;
    }

    static WasmOutput decode(byte[] output) {
        if (output == null) {
            return null;
        }
        try {
            return WasmOutput.parseFrom(output);
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }

    /**
     * The result of a job: how many outputs there are and their sizes. The outputs themselves are streamed by
     * {@code GET /api/v1/jobs/{id}/outputs}.
     */
    @Override
    public Map<String, Object> assimilate(JobParams jobParams, Stream<CanonicalOutput> outputs) {
        long count = 0;
        long stdoutBytes = 0;
        long files = 0;
        long fileBytes = 0;
        for (var it = outputs.iterator(); it.hasNext(); ) {
            WasmOutput envelope = decode(it.next().output());
            count++;
            if (envelope != null) {
                stdoutBytes += envelope.getStdout().size();
                files += envelope.getFilesCount();
                fileBytes += envelope.getFilesList().stream().mapToLong(f -> f.getContent().size()).sum();
            }
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("app", id());
        result.put("outputs", count);
        result.put("stdoutBytes", stdoutBytes);
        result.put("outputFiles", files);
        result.put("outputFileBytes", fileBytes);
        return result;
    }

    /** The standard output of an envelope as text, or null when it is not UTF-8. */
    static String text(ByteString stdout) {
        return stdout.isValidUtf8() ? stdout.toString(StandardCharsets.UTF_8) : null;
    }
}
