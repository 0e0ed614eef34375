package dev.starling.worker.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The volunteer's pause on the web holds over what the machine's watcher says, and lifting it gives the watcher back. */
class ComputeGateTest {

    @Test
    void aPauseHoldsWhateverTheWatcherSaysAndItsEndGivesTheWatcherBack() {
        ComputeGate gate = new ComputeGate();

        gate.pause(Optional.of("paused on the web"));
        gate.suspend(Optional.empty()); // the machine is idle: the watcher would let tasks compute
        assertThat(gate.isSuspended()).isTrue();
        assertThat(gate.reason()).contains("paused on the web");

        gate.suspend(Optional.of("outside the compute hours"));
        gate.pause(Optional.empty());
        assertThat(gate.isPaused()).isFalse();
        assertThat(gate.reason()).as("the watcher's reason again").contains("outside the compute hours");

        gate.suspend(Optional.empty());
        assertThat(gate.isSuspended()).isFalse();
    }

    @Test
    void aPausedTaskWaitsUntilTheVolunteerResumes() throws Exception {
        ComputeGate gate = new ComputeGate();
        gate.pause(Optional.of("paused on the web"));
        Thread task = Thread.ofVirtual().start(() -> {
            try {
                gate.awaitComputing();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        org.awaitility.Awaitility.await().until(() -> task.getState() == Thread.State.WAITING);
        assertThat(task.isAlive()).isTrue();
        gate.pause(Optional.empty());
        task.join();
        assertThat(task.isAlive()).isFalse();
    }
}
