package dev.starling.coordinator.job;

import dev.starling.coordinator.app.AppCatalog;
import dev.starling.coordinator.app.DeployedApp;
import dev.starling.coordinator.app.DeployedOutputs;
import dev.starling.coordinator.blob.BlobService;
import dev.starling.coordinator.workunit.WorkUnitTable;
import dev.starling.sdk.CanonicalOutput;
import dev.starling.sdk.StagePlan;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.io.UncheckedIOException;
import java.util.Enumeration;
import java.util.Iterator;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The levels of a job's reduce step ({@link ReduceStep}) as stages: how many work units the next one has (for the
 * completer), and its work units (for the splitter). A reduce work unit's input is the standard outputs of its work
 * units below, concatenated in index order and kept as a blob (the researcher's, like their uploads), so it travels to
 * workers over the data plane as any deployed input does; the same outputs make the same blob, so writing a level
 * again after a crash makes the same work units. The coordinator only concatenates: the reduce app runs on workers.
 */
@Component
class ReduceStages {
    private final WorkUnitTable workUnits;
    private final AppCatalog apps;
    private final BlobService blobs;
    private final JsonMapper json;

    ReduceStages(WorkUnitTable workUnits, AppCatalog apps, BlobService blobs, JsonMapper json) {
        this.workUnits = workUnits;
        this.apps = apps;
        this.blobs = blobs;
        this.json = json;
    }

    ReduceStep step(Job job) {
        return json.readValue(job.reduceJson(), ReduceStep.class);
    }

    /**
     * The size of the level after the job's current stage, whose work units are all decided; empty when that stage
     * was the last level (a level of one work unit).
     */
    OptionalLong nextLevel(Job job) {
        if (job.stage() > 0 && job.stageSize() != null && job.stageSize() == 1) {
            return OptionalLong.empty();
        }
        WorkUnitTable.StageTotals totals = workUnits.totals(job.id(), job.stage());
        return OptionalLong.of(step(job).levelSize(totals.workUnits(), totals.outputs(), totals.outputBytes()));
    }

    /** The work units of the job's current stage, a level of its reduce step, each made when it is asked for. */
    StagePlan plan(Job job) {
        ReduceStep step = step(job);
        DeployedApp app = (DeployedApp) apps.installed(job.reduceApp());
        long size = job.stageSize();
        return StagePlan.of(size, index -> app.reduceWorkUnit(index, step.args(),
                concatenate(job, step.inputs(size, index))));
    }

    /** Keeps the standard outputs of a run of work units below as one blob; null when they are empty. */
    private String concatenate(Job job, ReduceStep.Inputs inputs) {
        try (Stream<CanonicalOutput> outputs = workUnits.canonicalOutputs(job.id(), job.stage() - 1, inputs.from(),
                inputs.to())) {
            Iterator<CanonicalOutput> it = outputs.iterator();
            InputStream concatenated = new SequenceInputStream(new Enumeration<>() {
                @Override
                public boolean hasMoreElements() {
                    return it.hasNext();
                }

                @Override
                public InputStream nextElement() {
                    return DeployedOutputs.stdout(it.next().output()).newInput();
                }
            });
            var blob = blobs.keep(concatenated, job.researcherId());
            return blob.size() == 0 ? null : blob.id();
        } catch (IOException e) {
            throw new UncheckedIOException("keeping the input of a reduce work unit of job " + job.id() + " failed", e);
        }
    }
}
