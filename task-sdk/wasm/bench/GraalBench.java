// The engine benchmark's GraalWasm side (bench/engines.sh with GRAAL=1), run as a single source file on the stock JDK
// with GraalWasm's jars on the class path: runs a WASI module RUNS times and prints the CPU time of each run.
//   java -cp <polyglot + wasm jars> GraalBench.java RUNS MODULE.wasm [ARGS...]
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.graalvm.polyglot.Context;
import org.graalvm.polyglot.PolyglotException;
import org.graalvm.polyglot.Source;
import org.graalvm.polyglot.io.ByteSequence;

public class GraalBench {
    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(args[0]);
        Path path = Path.of(args[1]);
        String[] moduleArgs = Arrays.copyOfRange(args, 1, args.length);
        Source source = Source.newBuilder("wasm", ByteSequence.create(Files.readAllBytes(path)), "main").build();
        var threads = ManagementFactory.getThreadMXBean();
        for (int run = 1; run <= runs; run++) {
            var stdout = new ByteArrayOutputStream();
            long cpu = threads.getCurrentThreadCpuTime();
            try (Context context = Context.newBuilder("wasm").option("wasm.Builtins", "wasi_snapshot_preview1")
                    .arguments("wasm", moduleArgs).out(stdout).build()) {
                var module = context.eval(source);
                var instance = module.canInstantiate() ? module.newInstance() : module;
                instance.getMember("exports").getMember("_start").execute();
            } catch (PolyglotException e) {
                if (!e.isExit() || e.getExitStatus() != 0) {
                    throw e;
                }
            }
            System.out.printf("RUN engine=graalwasm memory=- module=%s run=%d cpu_s=%.3f output=%s%n",
                    path.getFileName(), run, (threads.getCurrentThreadCpuTime() - cpu) / 1e9,
                    stdout.toString().strip().replace('\n', '|'));
        }
    }
}
