package dev.wharf.cache;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * What {@link CacheStore#prune} removes, as {@code wharf prune --all}, {@code --filter until=DURATION} and
 * {@code --keep-storage SIZE} ask.
 *
 * <p>An immutable record, thread-safe. Semantics (BuildKit's {@code prune}): with {@code all}, every record goes.
 * Otherwise the candidates are the records not used for longer than {@code olderThan} (all records if absent);
 * with {@code keepStorage}, candidates are removed least recently used first until the blobs the remaining records
 * reference take at most that many bytes; without it, every candidate is removed if {@code olderThan} is given.
 * Options with no criterion remove nothing.
 *
 * @param all remove every record
 * @param olderThan only records last used longer ago than this are candidates
 * @param keepStorage stop removing once the remaining records reference at most this many bytes of distinct blobs
 */
public record PruneOptions(boolean all, Optional<Duration> olderThan, OptionalLong keepStorage) {
    /** Validates. */
    public PruneOptions {
        Objects.requireNonNull(olderThan, "olderThan");
        Objects.requireNonNull(keepStorage, "keepStorage");
        olderThan.ifPresent(d -> {
            if (d.isNegative()) {
                throw new IllegalArgumentException("negative prune age " + d);
            }
        });
        if (keepStorage.isPresent() && keepStorage.getAsLong() < 0) {
            throw new IllegalArgumentException("negative keep-storage " + keepStorage.getAsLong());
        }
    }

    /** Removes every record. */
    public static PruneOptions everything() {
        return new PruneOptions(true, Optional.empty(), OptionalLong.empty());
    }

    /** Removes the records not used for longer than {@code age}. */
    public static PruneOptions olderThan(Duration age) {
        return new PruneOptions(false, Optional.of(age), OptionalLong.empty());
    }

    /** Removes least recently used records until the rest reference at most {@code bytes} of blobs. */
    public static PruneOptions keepStorage(long bytes) {
        return new PruneOptions(false, Optional.empty(), OptionalLong.of(bytes));
    }

    /** Returns a copy that also limits storage. */
    public PruneOptions withKeepStorage(long bytes) {
        return new PruneOptions(all, olderThan, OptionalLong.of(bytes));
    }

    /**
     * The entries these options make candidates for removal, in {@code leastRecentFirst} order: every entry with
     * {@code all}; none without a criterion; else those last used before {@code now} minus {@code olderThan} (every
     * entry when only {@code keepStorage} is given). One rule for records, remembered sources and cache mounts.
     */
    public <T> List<T> candidates(Collection<T> entries, Function<T, Instant> lastUsed,
            Comparator<T> leastRecentFirst, Instant now) {
        if (all) {
            return entries.stream().sorted(leastRecentFirst).toList();
        }
        if (olderThan.isEmpty() && keepStorage.isEmpty()) {
            return List.of();
        }
        Instant cutoff = olderThan.map(age -> cutoff(now, age)).orElse(Instant.MAX);
        return entries.stream().filter(e -> lastUsed.apply(e).isBefore(cutoff)).sorted(leastRecentFirst).toList();
    }

    private static Instant cutoff(Instant now, Duration age) {
        try {
            return now.minus(age);
        } catch (DateTimeException | ArithmeticException e) {
            return Instant.MIN; // older than the start of time: nothing qualifies
        }
    }

    /** Returns a copy that also limits by age. */
    public PruneOptions withOlderThan(Duration age) {
        return new PruneOptions(all, Optional.of(age), keepStorage);
    }
}
