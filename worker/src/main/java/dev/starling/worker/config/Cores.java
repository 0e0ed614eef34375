package dev.starling.worker.config;

/**
 * {@code --cores} as written: a count, from 1 to this machine's processors, or a share of them such as {@code 50%}
 * (at least one core), the form for a config file shared by machines of different sizes.
 */
public final class Cores {
    private Cores() {}

    /**
     * The count {@code text} asks for on a machine with {@code processors}; a count below 1 is left to
     * {@link WorkerConfig} to refuse.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static int parse(String text, int processors) {
        String value = text.strip();
        try {
            if (value.endsWith("%")) {
                int percent = Integer.parseInt(value.substring(0, value.length() - 1).strip());
                if (percent < 1 || percent > 100) {
                    throw new IllegalArgumentException("--cores must be 1% to 100%, was " + value);
                }
                return Math.max(1, processors * percent / 100);
            }
            int count = Integer.parseInt(value);
            if (count > processors) {
                throw new IllegalArgumentException("--cores " + count + " is more than this machine's " + processors
                        + (processors == 1 ? " processor" : " processors") + ": give at most " + processors
                        + ", or a share such as 50% (a config file shared by several machines)");
            }
            return count;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--cores takes a count such as 2 or a share of the processors such as"
                    + " 50%, was '" + text + "'");
        }
    }
}
