package dev.starling.worker.wasm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.starling.wasm.TaskResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ErrorTextTest {
    private static TaskResult failed(String message, String stderr) {
        return new TaskResult(TaskResult.Status.EXIT_CODE, 7, new byte[0], Map.of(), message, stderr, 0);
    }

    @Test
    void theReasonThenTheEndOfStandardError() {
        assertThat(ErrorText.of(failed("the module exited with code 7", "usage: app FROM TO\n")))
                .isEqualTo("the module exited with code 7; standard error ends with:\nusage: app FROM TO");
        assertThat(ErrorText.of(failed("the module exited with code 7", " \n"))).isEqualTo("the module exited with code 7");
    }

    @Test
    void whatPostgresqlRefusesAndControlCharactersAreReplaced() {
        String text = ErrorText.of(failed("exit \0 here", "a\0b\u001b[31mred\tc\ud800d\ud83d\ude00e"));

        assertThat(text).doesNotContain("\0", "\u001b", "\ud800")
                .endsWith("a\uFFFDb\uFFFD[31mred\tc\uFFFDd\ud83d\ude00e").startsWith("exit \uFFFD here");
    }

    @Test
    void boundedKeepingTheEndOfStandardErrorAndNeverHalfACharacter() {
        String stderr = "x".repeat(10_000) + "\ud83d\ude00".repeat(2000) + "the last line";

        String text = ErrorText.of(failed("r".repeat(5000), stderr));

        assertThat(text.length()).isLessThanOrEqualTo(ErrorText.MAX_CHARS);
        assertThat(text).startsWith("rrr").contains("...; standard error ends with:\n...").endsWith("the last line");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c)) {
                assertThat(Character.isLowSurrogate(text.charAt(i + 1))).isTrue();
            } else if (Character.isLowSurrogate(c)) {
                assertThat(Character.isHighSurrogate(text.charAt(i - 1))).isTrue();
            }
        }
        assertThat(ErrorText.clean("ab\ud83d\ude00cd", 5)).isEqualTo("ab...");
    }
}
