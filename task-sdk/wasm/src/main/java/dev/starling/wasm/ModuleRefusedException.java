package dev.starling.wasm;

/** A module Starling does not run; the message says why in words a researcher can act on. */
public final class ModuleRefusedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModuleRefusedException(String reason) {
        super(reason);
    }

    public ModuleRefusedException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
