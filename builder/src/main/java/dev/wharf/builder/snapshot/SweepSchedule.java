package dev.wharf.builder.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Whether a store owes a full sweep, besides the dead processes its user markers tell of: the flag file
 * {@code <root>/sweep-needed}, present while a sweep is owed (set before a sweep starts, removed once one found
 * nothing left, and left by an instance that ends with snapshots it neither committed nor removed or fails to delete
 * a directory); and the stamp {@code <root>/swept}, whose mtime is the time of the last full sweep, so a store not
 * swept for a day is swept anyway, for what a process without markers (an older wharf, a power loss) left. The files
 * are written under the store lock (or outside it, where a lost flag costs a day's delay).
 */
final class SweepSchedule {
    /** How long a store may go without a full sweep when no marker asks for one. */
    private static final long SWEEP_INTERVAL_MILLIS = 24L * 60 * 60 * 1000;

    private final Path flag;
    private final Path stamp;

    /** The schedule of the store at {@code root}. */
    SweepSchedule(Path root) {
        this.flag = root.resolve("sweep-needed");
        this.stamp = root.resolve("swept");
    }

    /** Whether the flag asks for a sweep, or the last one is a day old (or in the future, or never was). */
    boolean due() throws IOException {
        return Files.exists(flag) || overdue();
    }

    private boolean overdue() throws IOException {
        try {
            long last = Files.getLastModifiedTime(stamp).toMillis();
            long now = System.currentTimeMillis();
            return now - last > SWEEP_INTERVAL_MILLIS || last > now + SWEEP_INTERVAL_MILLIS;
        } catch (NoSuchFileException e) {
            return true;
        }
    }

    /** Asks for a sweep: sets the flag. */
    void ask() throws IOException {
        if (!Files.exists(flag)) {
            Files.write(flag, new byte[0]);
        }
    }

    /** Asks for a sweep where failing to is no error: the daily sweep is the last resort. */
    void askQuietly() {
        try {
            ask();
        } catch (IOException ignored) {
            // The daily sweep is the last resort.
        }
    }

    /** Clears the flag: a sweep found nothing left. */
    void answered() throws IOException {
        Files.deleteIfExists(flag);
    }

    /** Records that a full sweep ran now. */
    void swept() throws IOException {
        Files.write(stamp, new byte[0]);
    }
}
