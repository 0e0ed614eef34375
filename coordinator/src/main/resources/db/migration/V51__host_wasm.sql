-- What a worker offers deployed (WebAssembly) apps (RegisterRequest.wasm, issue 15): the linear memory it gives their
-- tasks, in MiB; NULL when it runs none. Dispatch gives a deployed app's tasks only to hosts offering at least the
-- app's limits.memoryMiB (never a smaller cap, so memory.grow behaves the same on every host).
ALTER TABLE host ADD COLUMN wasm_memory_mib integer CHECK (wasm_memory_mib > 0);
