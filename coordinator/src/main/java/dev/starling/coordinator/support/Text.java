package dev.starling.coordinator.support;

/**
 * Text from strangers (workers, browsers) on its way to PostgreSQL and to people's screens. PostgreSQL refuses
 * U+0000 in a {@code text} value (the statement fails, and with it its transaction); other control characters are
 * stored but rewrite logs and terminals. Names are refused when they hold one ({@link #firstControl}); free text that
 * is only ever shown, such as a task's failure message, is {@link #clean}ed instead, since losing it would cost more
 * than a replaced character.
 */
public final class Text {
    /** What {@link #clean} puts in place of a control character. */
    public static final char REPLACEMENT = '\uFFFD';

    private Text() {}

    /** Whether the character is a control character (C0, DEL or C1; U+0000 among them). */
    public static boolean isControl(int c) {
        return c < 0x20 || (c >= 0x7F && c <= 0x9F);
    }

    /** The index of the first control character in {@code text}, or -1 when it has none. */
    public static int firstControl(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (isControl(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    /**
     * {@code text} with every control character but newline and tab replaced by {@link #REPLACEMENT}, cut to at most
     * {@code max} characters (and "..." added when it was cut); null stays null.
     */
    public static String clean(String text, int max) {
        if (text == null) {
            return null;
        }
        boolean cut = text.length() > max;
        // never between the two halves of a surrogate pair
        int end = cut && Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        String kept = cut ? text.substring(0, end) : text;
        StringBuilder b = null;
        for (int i = 0; i < kept.length(); i++) {
            char c = kept.charAt(i);
            if (isControl(c) && c != '\n' && c != '\t') {
                if (b == null) {
                    b = new StringBuilder(kept);
                }
                b.setCharAt(i, REPLACEMENT);
            }
        }
        String cleaned = b == null ? kept : b.toString();
        return cut ? cleaned + "..." : cleaned;
    }
}
