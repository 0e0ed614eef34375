package dev.starling.coordinator.job;

/** A researcher deleted a finished job: its work units and replicas are to be purged now. */
public record JobDeleted(long jobId) {}
