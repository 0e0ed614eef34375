package dev.starling.coordinator.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.starling.coordinator.StarlingProperties;
import dev.starling.coordinator.StartupProblem;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Which workers are old: releases by their leading numbers; a version that names no release ({@code dev}, a development
 * build, or anything a stranger's program sends) is older than every release unless the operator takes development
 * builds as current; a browser tab runs the page the coordinator serves, so it is never old.
 */
class WorkerVersionsTest {

    private static WorkerVersions versions(String... settings) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < settings.length; i += 2) {
            map.put("starling.workers." + settings[i], settings[i + 1]);
        }
        return new WorkerVersions(new Binder(new MapConfigurationPropertySource(map))
                .bindOrCreate("starling", StarlingProperties.class));
    }

    @Test
    void releasesAreComparedByTheirLeadingNumbers() {
        WorkerVersions v = versions("release", "0.6.0");

        assertThat(v.outdated(1, "0.5.9")).isTrue();
        assertThat(v.outdated(1, "0.5.10-SNAPSHOT")).isTrue();
        assertThat(v.outdated(1, "0.6")).as("a missing number is 0").isFalse();
        assertThat(v.outdated(1, "0.6.0-SNAPSHOT")).isFalse();
        assertThat(v.outdated(1, "0.10.0")).as("numbers, not text").isFalse();
        assertThat(v.outdated(1, "1.0.0 (starling-swarm)")).isFalse();
    }

    @Test
    void aVersionThatNamesNoReleaseIsOlderThanTheReleaseTheOperatorSet() {
        WorkerVersions v = versions("release", "0.6.0", "download-url", "https://example.org/w");

        assertThat(v.outdated(1, "dev")).isTrue();
        assertThat(v.outdated(1, "test")).isTrue();
        assertThat(v.outdated(1, "")).as("a worker that sent none").isTrue();
        assertThat(v.outdated(1, "v9.0.0")).isTrue();
        assertThat(v.notice(1, "dev")).hasValueSatisfying(n -> assertThat(n).startsWith(
                "this worker's version names no release, so it counts as older than the project's: it is dev"
                        + " (protocol 1)").contains("install Starling worker 0.6.0", "from https://example.org/w"));
        assertThat(v.notice(1, "0.5.0")).hasValueSatisfying(n -> assertThat(n).startsWith(
                "a newer Starling worker is available: this one is 0.5.0 (protocol 1)"));
    }

    @Test
    void theOperatorMayTakeDevelopmentBuildsAsCurrent() {
        WorkerVersions v = versions("release", "0.6.0", "dev-builds-current", "true");

        assertThat(v.outdated(1, "dev")).isFalse();
        assertThat(v.notice(1, "dev")).isEmpty();
        assertThat(v.outdated(1, "0.5.9")).as("a release is still compared").isTrue();
    }

    @Test
    void aBrowserTabIsNeverOld() {
        WorkerVersions v = versions("release", "0.6.0");

        assertThat(v.outdated(1, "browser")).isFalse();
        assertThat(v.outdated(1, "browser Chrome 131")).isFalse();
        assertThat(v.notice(1, "browser Chrome 131")).isEmpty();
        assertThat(v.outdated(1, "browsers")).isTrue();
    }

    @Test
    void withoutAReleaseOnlyTheProtocolTells() {
        // the tests run the coordinator from classes: no release of its own
        WorkerVersions v = versions("min-protocol", "1");

        assertThat(v.outdated(1, "dev")).isFalse();
        assertThat(v.outdated(1, "0.0.1")).isFalse();
    }

    @Test
    void aReleaseThatBeginsWithNoNumberIsRefusedAtStart() {
        assertThatThrownBy(() -> versions("release", "nightly")).isInstanceOf(StartupProblem.class)
                .hasMessage("starling.workers.release is nightly, which begins with no release number: workers could"
                        + " not be compared with it");
    }
}
