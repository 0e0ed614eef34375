package dev.starling.sdk;

/** Thrown by an app that stopped because {@link TaskContext#isCancelled()} became true. */
public class CancelledException extends RuntimeException {
    public CancelledException() {
        super("task cancelled");
    }
}
