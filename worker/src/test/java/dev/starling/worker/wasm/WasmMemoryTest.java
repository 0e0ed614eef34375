package dev.starling.worker.wasm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WasmMemoryTest {
    @Test
    void tasksTakeTheirMemoryWhileItFitsAndWaitOtherwise() throws Exception {
        WasmMemory memory = new WasmMemory(100);
        WasmMemory.Grant first = memory.acquire(60);

        CompletableFuture<WasmMemory.Grant> second = CompletableFuture.supplyAsync(() -> {
            try {
                return memory.acquire(60);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        assertThat(memory.inUseMiB()).isEqualTo(60);
        assertThat(second).isNotDone();
        first.close();
        first.close(); // once only
        assertThat(second.get(15, TimeUnit.SECONDS)).isNotNull();
        assertThat(memory.inUseMiB()).isEqualTo(60);
        second.get().close();
        assertThat(memory.inUseMiB()).isZero();
    }

    @Test
    void aTaskAboveTheBudgetIsRefusedSayingWhy() {
        assertThat(new WasmMemory(64).refusal(64)).isNull();
        assertThat(new WasmMemory(64).refusal(65)).isEqualTo(
                "the task needs 65 MiB of WebAssembly memory, more than this worker's --wasm-memory of 64 MiB");
        assertThat(new WasmMemory(0).refusal(1)).isEqualTo("this worker runs no WebAssembly (--wasm-memory 0)");
        assertThatThrownBy(() -> new WasmMemory(64).acquire(65)).isInstanceOf(IllegalArgumentException.class);
    }
}
