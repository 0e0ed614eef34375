package dev.starling.worker.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusTest {
    private static final Instant NOW = Instant.parse("2025-06-02T12:00:00Z");

    private static Status status(Optional<String> suspended, Optional<String> failure, double credit) {
        return status(suspended, failure, Optional.empty(), credit);
    }

    private static Status status(Optional<String> suspended, Optional<String> failure, Optional<String> update,
            double credit) {
        return status(suspended, failure, update, Optional.empty(), true, credit);
    }

    private static Status status(Optional<String> suspended, Optional<String> failure, Optional<String> update,
            Optional<String> noWork, boolean networkOpen, double credit) {
        return new Status(NOW, "1.2.3", "lab-pc-3", 12, "coord.example.org:9090", Optional.of(NOW.minusSeconds(4)),
                failure, update, noWork, credit, 2, 60, 1024, 256, suspended, networkOpen, 5, 1, List.of(
                        new Status.TaskLine(101, "primes", 7, 0.5, Status.State.COMPUTING),
                        new Status.TaskLine(102, "signal-search", 8, 0.0, Status.State.WAITING)),
                List.of(new Status.SettingLine("cores", "50%", "config file"),
                        new Status.SettingLine("cpu-limit", "60", "command line")),
                new Status.Machine(Optional.of("keyboard or mouse 4 s ago"), true, 71.0, "coretemp: Package id 0", 85,
                        Optional.empty()));
    }

    @Test
    void travelsAsTextAndBack() {
        Status status = status(Optional.of("outside the compute hours 19:00-07:00"), Optional.of("UNAVAILABLE (down)"), 12.5);

        assertThat(Status.fromText(status.toText())).isEqualTo(status);
        Status old = status(Optional.empty(), Optional.empty(), Optional.of("install Starling worker 0.2.0"), 1);
        assertThat(Status.fromText(old.toText())).isEqualTo(old);
        Status told = status(Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.of("no work is queued for the apps this host runs (primes) (NO_WORK)"), true, 1);
        assertThat(Status.fromText(told.toText())).isEqualTo(told);
        Status unknownCredit = status(Optional.empty(), Optional.empty(), Double.NaN);
        assertThat(Status.fromText(unknownCredit.toText()).credit()).isNaN();
    }

    @Test
    void somethingElseIsNotAStatus() {
        assertThatThrownBy(() -> Status.fromText("HTTP/1.1 400 Bad Request")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a worker status");
    }

    @Test
    void showsTasksWithProgressBarsWhetherTheyComputeResultsCreditAndTheCoordinator() {
        String shown = StatusView.render(status(Optional.empty(), Optional.empty(), 12.5), NOW);

        assertThat(shown).contains("Starling worker 1.2.3 on lab-pc-3 (host 12)",
                "Coordinator  coord.example.org:9090: reachable (last answer 4 s ago)",
                "Computing    yes, on 2 cores at 60% CPU (the computer is in use: keyboard or mouse 4 s ago)",
                "Temperature  CPU 71 °C (coretemp: Package id 0); tasks pause above 85 °C",
                "WebAssembly  256 of 1024 MiB in use",
                "Results      5 reported today, 1 waiting to be reported",
                "Credit       12.50",
                "Tasks        2 held",
                "#101       primes         job 7      [############------------]  50%  computing",
                "#102       signal-search  job 8      [------------------------]   0%  waiting");
    }

    @Test
    void showsTheSettingsNotAtTheirDefaultsAndWhereEachCameFrom() {
        String shown = StatusView.render(status(Optional.empty(), Optional.empty(), 12.5), NOW);

        assertThat(shown).contains("""
                Settings     cores = 50% (config file)
                             cpu-limit = 60 (command line)
                             (the rest at their defaults)
                """);
    }

    @Test
    void saysWhyTasksAreSuspendedAndWhyTheCoordinatorCannotBeReached() {
        String shown = StatusView.render(status(Optional.of("other programs use 60% of the CPU (more than 25%)"),
                Optional.of("UNAVAILABLE (io exception)"), Double.NaN), NOW);

        assertThat(shown).contains("Computing    suspended: other programs use 60% of the CPU (more than 25%)",
                "not reachable: UNAVAILABLE (io exception) (last answer 4 s ago)", "Credit       not known yet",
                "50%  suspended");
    }

    @Test
    void saysWhereTheTemperatureAndTheKeyboardCannotBeReadAndHowANewInstallGivesMore() {
        Status base = status(Optional.empty(), Optional.empty(), 1);
        Status.Machine blind = new Status.Machine(Optional.empty(), false, Double.NaN,
                "not readable here: no CPU package sensor", 85, Optional.of("a new install computes gently: to give more"));
        Status status = new Status(base.at(), base.version(), base.name(), base.hostId(), base.coordinator(),
                base.lastAnswer(), base.failure(), base.update(), base.noWork(), base.credit(), base.cores(), 100,
                base.wasmMemoryMiB(),
                base.wasmInUseMiB(), base.suspended(), base.networkOpen(), base.reportedToday(), base.unreported(),
                base.tasks(), base.settings(), blind);

        assertThat(Status.fromText(status.toText())).isEqualTo(status);
        assertThat(StatusView.render(status, NOW)).contains(
                "Computing    yes, on 2 cores (the computer is idle)",
                "Gently       a new install computes gently: to give more",
                "Activity     keyboard and mouse cannot be seen here",
                "other programs' CPU use alone tells whether the computer is in use",
                "Temperature  CPU not readable here: no CPU package sensor; tasks never pause for heat");
    }

    @Test
    void saysWhatToInstallWhenTheCoordinatorSaidThisWorkerIsOld() {
        String notice = "a newer Starling worker is available: install Starling worker 0.2.0";
        assertThat(StatusView.render(status(Optional.empty(), Optional.empty(), Optional.of(notice), 1), NOW))
                .contains("Update       " + notice);
        assertThat(StatusView.render(status(Optional.empty(), Optional.empty(), 1), NOW)).doesNotContain("Update");
    }

    @Test
    void saysWhyNoWorkCameOrWhyNoneIsAskedFor() {
        String why = "what is queued has a replica on this host already (HAS_REPLICA)";

        assertThat(StatusView.render(status(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(why),
                true, 1), NOW)).contains("Work         none came: " + why);
        assertThat(StatusView.render(status(Optional.of("outside the compute hours 19:00-07:00"), Optional.empty(),
                Optional.empty(), Optional.of(why), true, 1), NOW))
                .contains("Work         not asked for while computing is suspended").doesNotContain(why);
        assertThat(StatusView.render(status(Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(why),
                false, 1), NOW)).contains("Work         not asked for outside the network hours")
                .doesNotContain(why);
        assertThat(StatusView.render(status(Optional.empty(), Optional.empty(), 1), NOW)).doesNotContain("Work   ");
    }
}
