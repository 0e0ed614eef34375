package dev.starling.coordinator.app;

/**
 * The admin revoked a deployed app version ({@code name@version}): its jobs are to be cancelled, in the revoking
 * transaction (published there; the job service listens).
 */
public record AppVersionRevoked(String app, String reason) {}
