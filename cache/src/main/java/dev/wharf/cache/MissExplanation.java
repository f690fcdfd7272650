package dev.wharf.cache;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Why a step's key has no cache record: which inputs differ from the previous build of the same step.
 *
 * <p>An immutable record, thread-safe. {@code changes} is never empty: it holds a single {@link
 * CacheMissReason#NEVER_BUILT} or {@link CacheMissReason#CACHED} change, or the differing inputs in the order base
 * image, instruction, platform, ARGs (by name), contents (by source), key format, parent step.
 *
 * @param key the key that missed
 * @param identity the step
 * @param previous the record the inputs were compared with: the most recently used record of the same identity
 * @param changes what differs
 */
public record MissExplanation(CacheKey key, StepIdentity identity, Optional<CacheRecord> previous,
        List<InputChange> changes) {
    /** Validates and copies. */
    public MissExplanation {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(previous, "previous");
        changes = List.copyOf(changes);
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("an explanation needs at least one change");
        }
    }

    /** Returns the main reason: that of the first change (local causes come before {@code PARENT_CHANGED}). */
    public CacheMissReason reason() {
        return changes.get(0).reason();
    }

    /** Returns whether some change has the given reason. */
    public boolean has(CacheMissReason reason) {
        return changes.stream().anyMatch(c -> c.reason() == reason);
    }

    /** Returns the changes of one reason. */
    public List<InputChange> changes(CacheMissReason reason) {
        return changes.stream().filter(c -> c.reason() == reason).toList();
    }

    /** Returns one sentence per change. */
    public List<String> lines() {
        return changes.stream().map(InputChange::describe).toList();
    }

    /** Returns the sentences joined with "; ". */
    @Override
    public String toString() {
        return String.join("; ", lines());
    }
}
