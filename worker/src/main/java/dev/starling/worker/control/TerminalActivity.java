package dev.starling.worker.control;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * When someone last typed or moved the mouse, as Unix tells it: the access times of terminals ({@code /dev/pts/*},
 * the consoles {@code /dev/tty1...}) and of input devices ({@code /dev/input/*}), which reading input updates
 * (the same clue {@code w} shows as idle time). Only the files this user may see count; a desktop session whose
 * input devices hide their times is not seen (then only CPU use tells that the machine is in use).
 */
public final class TerminalActivity implements UserActivity {
    private final List<Path> dirs;

    TerminalActivity(List<Path> dirs) {
        this.dirs = List.copyOf(dirs);
    }

    /** The devices of this machine; {@link UserActivity#UNKNOWN} where there is no {@code /dev}. */
    public static UserActivity create() {
        Path dev = Path.of("/dev");
        if (!Files.isDirectory(dev)) {
            return UNKNOWN;
        }
        return new TerminalActivity(List.of(dev.resolve("pts"), dev, dev.resolve("input")));
    }

    @Override
    public Optional<Instant> lastInput() {
        Instant latest = null;
        for (Path dir : dirs) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, TerminalActivity::isInputDevice)) {
                for (Path file : files) {
                    try {
                        Instant accessed = Files.readAttributes(file, BasicFileAttributes.class).lastAccessTime().toInstant();
                        if (latest == null || accessed.isAfter(latest)) {
                            latest = accessed;
                        }
                    } catch (IOException | SecurityException e) {
                        // gone or hidden: not a clue
                    }
                }
            } catch (IOException | SecurityException e) {
                // no such directory here
            }
        }
        return Optional.ofNullable(latest);
    }

    private static boolean isInputDevice(Path file) {
        String name = file.getFileName().toString();
        String parent = file.getParent().getFileName() == null ? "" : file.getParent().getFileName().toString();
        return switch (parent) {
            case "pts" -> name.chars().allMatch(Character::isDigit);
            case "input" -> name.startsWith("event") || name.equals("mice");
            default -> name.matches("tty[0-9]+");
        };
    }
}
