package dev.starling.worker.wasm;

import dev.starling.wasm.ModuleRefusedException;
import dev.starling.wasm.TaskControl;
import dev.starling.wasm.TaskResult;
import dev.starling.wasm.WasmSandbox;
import dev.starling.wasm.WasmTask;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * This worker process's WebAssembly sandbox, made at its first deployed task (a worker that never gets one pays
 * nothing for it, not even the sandbox's timer), and the modules compiled for it: once per process, by blob id (the
 * data plane verified the bytes against it), so that a task whose module is compiled already neither reads nor hashes
 * it again. Two tasks that need one module at once wait for one compile. The most recently used {@link #CAPACITY} are
 * kept.
 */
public final class WasmEngine implements AutoCloseable {
    static final int CAPACITY = 16;

    /** Reads a module's bytes, when it is not compiled yet. */
    public interface Source {
        byte[] read() throws IOException;
    }

    private final Map<String, CompletableFuture<WasmSandbox.Module>> modules =
            new LinkedHashMap<>(16, 0.75f, true) { // guarded by this
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<WasmSandbox.Module>> eldest) {
                    return size() > CAPACITY;
                }
            };
    private WasmSandbox sandbox; // guarded by this
    private boolean closed; // guarded by this

    /**
     * The module with blob id {@code blobId}, compiled.
     *
     * @throws ModuleRefusedException when the sandbox will not run it (the next task tries again)
     * @throws IOException when its bytes cannot be read
     */
    public WasmSandbox.Module load(String blobId, Source source) throws IOException {
        CompletableFuture<WasmSandbox.Module> mine = new CompletableFuture<>();
        CompletableFuture<WasmSandbox.Module> existing;
        WasmSandbox engine;
        synchronized (this) {
            engine = sandbox();
            existing = modules.putIfAbsent(blobId, mine);
        }
        if (existing != null) {
            try {
                return existing.join();
            } catch (CompletionException e) {
                throw rethrown(e.getCause());
            }
        }
        try {
            WasmSandbox.Module module = engine.load(source.read());
            mine.complete(module);
            return module;
        } catch (IOException | RuntimeException | Error e) {
            synchronized (this) {
                modules.remove(blobId, mine);
            }
            mine.completeExceptionally(e);
            throw e;
        }
    }

    /** Runs a task of a module {@link #load} gave ({@link WasmSandbox#run}). */
    public TaskResult run(WasmSandbox.Module module, WasmTask task, TaskControl control) {
        WasmSandbox engine;
        synchronized (this) {
            engine = sandbox();
        }
        return engine.run(module, task, control);
    }

    private WasmSandbox sandbox() {
        if (closed) {
            throw new IllegalStateException("the worker is stopping: it runs no more WebAssembly");
        }
        if (sandbox == null) {
            sandbox = WasmSandbox.create();
        }
        return sandbox;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private static IOException rethrown(Throwable cause) {
        if (cause instanceof IOException io) {
            return io;
        }
        if (cause instanceof RuntimeException r) {
            throw r;
        }
        if (cause instanceof Error e) {
            throw e;
        }
        return new IOException(cause);
    }
}
