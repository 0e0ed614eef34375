package dev.starling.worker;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import com.tngtech.archunit.library.Architectures;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The worker's packages depend downward only. From the top:
 *
 * <ol>
 * <li>{@code dev.starling.worker}: the command line and {@code Worker}, which assembles everything below;</li>
 * <li>{@code peer}: the data plane assembled; it talks to the coordinator through the session;</li>
 * <li>{@code session}: the coordinator, its calls and the loops that make them, over the tasks;</li>
 * <li>{@code config}: the checked configuration, handed down as values;</li>
 * <li>{@code peer.transfer}, then {@code peer.cache}: the data plane's mechanisms, which know no configuration;</li>
 * <li>{@code fault}: the faults a test injects into the tasks;</li>
 * <li>{@code tasks}: running tasks, which see the data plane through its {@code PeerPlane} alone;</li>
 * <li>{@code journal}, {@code control}, {@code status}, {@code wasm}: leaves;</li>
 * <li>{@code support}: helpers with no Starling knowledge.</li>
 * </ol>
 *
 * <p>Plain JUnit tests that check ArchUnit rules: ArchUnit's own JUnit 5 engine finds no tests under JUnit 6,
 * silently.
 */
class ArchitectureTest {
    private static final JavaClasses WORKER = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.starling.worker");

    /** Top first; each layer may use only those after it. Layers on one line know nothing of each other. */
    private static final List<List<String>> LAYERS = List.of(
            List.of(""),
            List.of("peer"),
            List.of("session"),
            List.of("config"),
            List.of("peer.transfer"),
            List.of("peer.cache"),
            List.of("fault"),
            List.of("tasks"),
            List.of("journal", "control", "status", "wasm"),
            List.of("support"));

    @Test
    void packagesDependDownwardOnly() {
        layers().check(WORKER);
    }

    @Test
    void noPackagesDependOnEachOther() {
        slices().matching("dev.starling.worker.(**)").should().beFreeOfCycles().check(WORKER);
    }

    @Test
    void everyPackageIsALayer() {
        List<String> layered = LAYERS.stream().flatMap(List::stream)
                .map(name -> "dev.starling.worker" + (name.isEmpty() ? "" : "." + name)).toList();
        assertThat(WORKER.stream().map(c -> c.getPackageName()).distinct())
                .as("a new package goes into LAYERS, where it says what it may use").isSubsetOf(layered);
    }

    @Test
    void noPackageHoldsMuchMoreThanTwentyClasses() {
        // top-level classes only: nested ones live in their file
        assertThat(WORKER.stream().filter(c -> c.getEnclosingClass().isEmpty())
                .collect(java.util.stream.Collectors.groupingBy(c -> c.getPackageName(),
                        java.util.stream.Collectors.counting())))
                .allSatisfy((pkg, files) -> assertThat(files).as(pkg).isLessThanOrEqualTo(22));
    }

    private static ArchRule layers() {
        LayeredArchitecture layers = Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (List<String> level : LAYERS) {
            for (String name : level) {
                layers = layers.layer(name(name)).definedBy("dev.starling.worker" + (name.isEmpty() ? "" : "." + name));
            }
        }
        for (int i = 0; i < LAYERS.size(); i++) {
            String[] below = LAYERS.subList(i + 1, LAYERS.size()).stream().flatMap(List::stream)
                    .map(ArchitectureTest::name).toArray(String[]::new);
            for (String name : LAYERS.get(i)) {
                layers = below.length == 0 ? layers.whereLayer(name(name)).mayNotAccessAnyLayer()
                        : layers.whereLayer(name(name)).mayOnlyAccessLayers(below);
            }
        }
        return layers.because("a package depends only on the packages below it (see the class comment)");
    }

    private static String name(String pkg) {
        return pkg.isEmpty() ? "(top)" : pkg;
    }
}
