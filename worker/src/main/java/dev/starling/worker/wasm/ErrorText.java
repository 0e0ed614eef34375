package dev.starling.worker.wasm;

import dev.starling.wasm.TaskResult;

/**
 * A failed task's error message as the coordinator stores it: what happened (a limit, a trap, an exit code), then the
 * last lines of the module's standard error, bounded, and cleaned of what PostgreSQL's text refuses (NUL, unpaired
 * surrogates) and of other control characters a terminal or a page would act on.
 */
public final class ErrorText {
    /** The most characters of a message: what the worker's reports carry of any failure. */
    public static final int MAX_CHARS = 2000;
    /** The most characters of the reason itself; the rest is for the end of standard error. */
    private static final int MAX_REASON_CHARS = 600;
    private static final String STDERR = "; standard error ends with:\n";

    private ErrorText() {}

    /** The error message of a task that did not succeed. */
    public static String of(TaskResult result) {
        String reason = clean(result.message(), MAX_REASON_CHARS);
        String stderr = result.stderrTail().strip();
        if (stderr.isEmpty()) {
            return reason;
        }
        int room = MAX_CHARS - reason.length() - STDERR.length();
        return reason + STDERR + tail(stderr, room);
    }

    /** {@code text} cleaned, its start kept within {@code maxChars} ("..." marks a cut). */
    public static String clean(String text, int maxChars) {
        String clean = cleaned(text);
        if (clean.length() <= maxChars) {
            return clean;
        }
        int to = Math.max(0, maxChars - 3);
        if (to > 0 && Character.isHighSurrogate(clean.charAt(to - 1))) {
            to--; // never half a character
        }
        return clean.substring(0, to) + "...";
    }

    /** {@code text} cleaned, its end kept within {@code maxChars} ("..." marks a cut). */
    static String tail(String text, int maxChars) {
        String clean = cleaned(text);
        if (clean.length() <= maxChars) {
            return clean;
        }
        int from = clean.length() - Math.max(0, maxChars - 3);
        if (from < clean.length() && Character.isLowSurrogate(clean.charAt(from))) {
            from++; // never half a character
        }
        return "..." + clean.substring(from);
    }

    private static String cleaned(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(++i));
            } else if (Character.isSurrogate(c) || (Character.isISOControl(c) && c != '\n' && c != '\t')) {
                out.append('\uFFFD');
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
