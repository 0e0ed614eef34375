package dev.starling.worker.session;

import dev.starling.proto.v1.HeartbeatResponse;
import dev.starling.proto.v1.TaskProgress;
import dev.starling.worker.control.ComputeGate;
import dev.starling.worker.support.Loop;
import dev.starling.worker.tasks.RunningTask;
import dev.starling.worker.tasks.RunningTasks;
import dev.starling.worker.tasks.TaskExecutor;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat loop: every heartbeat interval, while tasks are held, tells the coordinator how far each one
 * got and whether it is suspended (which extends their leases: a paused host is not a dead one) and abandons
 * the tasks the coordinator no longer wants. A failed heartbeat is simply followed by the next one. Heartbeats
 * go on outside the network hours.
 */
public final class Heartbeater extends Loop {
    private static final Logger log = LoggerFactory.getLogger(Heartbeater.class);

    private final CoordinatorClient client;
    private final Session session;
    private final RunningTasks tasks;
    private final TaskExecutor executor;
    private final ComputeGate gate;
    private final Controls controls;
    private final CallFailures failures;

    public Heartbeater(CoordinatorClient client, Session session, RunningTasks tasks, TaskExecutor executor,
            ComputeGate gate, Controls controls, Lifecycle lifecycle) {
        super("heartbeat");
        this.controls = controls;
        this.gate = gate;
        this.client = client;
        this.session = session;
        this.tasks = tasks;
        this.executor = executor;
        this.failures = new CallFailures("Heartbeat", session, lifecycle, this::isStopping);
    }

    @Override
    public void run() {
        while (!isStopping() && pause(session.heartbeatInterval())) {
            List<TaskProgress> progress = tasks.progress(gate.reason().isPresent());
            if (progress.isEmpty()) {
                continue;
            }
            try {
                HostIdentity as = session.identity();
                HeartbeatResponse response = client.heartbeat(as, progress);
                failures.succeeded();
                if (response.getRotateToken()) {
                    session.rotate(as);
                }
                session.contact().credit(response.getHostCredit());
                controls.apply(response.hasControl(), response.getControl());
                executor.abandon(response.getAbandonResultIdsList());
                executor.dropBlobs(response.getDropBlobIdsList());
            } catch (RuntimeException e) {
                if (failures.failed(e) == CallFailures.Next.STOP) {
                    leave();
                }
            }
        }
        log.debug("Heartbeat loop stopped");
    }

    /**
     * Tells the coordinator, once, that this stopping worker keeps {@code parked} to resume at its next start, so
     * that it holds them for this host until their deadlines instead of reissuing them when their leases end; tasks
     * it answers it no longer wants are dropped from the journal.
     */
    public void park(List<RunningTask> parked) {
        List<TaskProgress> progress = parked.stream().map(t -> t.heartbeat(true).setParked(true).build()).toList();
        try {
            executor.abandon(client.heartbeat(session.identity(), progress).getAbandonResultIdsList());
        } catch (RuntimeException e) {
            log.warn("Could not tell the coordinator that the worker keeps {} tasks to resume ({}); it reissues them"
                    + " when their leases end, and the worker then drops them", parked.size(), e.getMessage());
        }
    }
}
