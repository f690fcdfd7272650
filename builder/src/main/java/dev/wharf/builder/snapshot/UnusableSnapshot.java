package dev.wharf.builder.snapshot;

/**
 * A snapshot that no build can use, as {@code wharf doctor} reports it: a record file that cannot be read, or a
 * snapshot standing on a parent whose record is gone. {@code subject} names the record file or the snapshot,
 * {@code detail} says what is wrong, {@code repaired} whether a repair removed it. Immutable.
 */
public record UnusableSnapshot(String subject, String detail, boolean repaired) {
    /** This one, removed. */
    public UnusableSnapshot asRepaired() {
        return new UnusableSnapshot(subject, detail, true);
    }
}
