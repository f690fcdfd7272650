package dev.wharf.cache;

import dev.wharf.layers.Digest;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Compares a step's inputs with the previous build of the same step: the logic of {@link CacheStore#explainMiss},
 * shared by every store.
 *
 * <p>Stateless and thread-safe.
 */
final class MissExplainer {
    /** The previous build: the most recently used record, then the most recently created, then the highest key. */
    private static final Comparator<CacheRecord> RECENCY = Comparator.comparing(CacheRecord::lastUsed)
            .thenComparing(CacheRecord::created).thenComparing(CacheRecord::key);

    private MissExplainer() {
    }

    /**
     * Explains why {@code inputs} has no record.
     *
     * @param inputs the step's current inputs
     * @param exact the record of the inputs' key, if the store has one (then it is not a miss)
     * @param sameIdentity the records saved for the same {@link StepIdentity} (other identities are ignored)
     */
    static MissExplanation explain(CacheKeyInputs inputs, Optional<CacheRecord> exact,
            Collection<CacheRecord> sameIdentity) {
        CacheKey key = inputs.key();
        if (exact.isPresent()) {
            return new MissExplanation(key, inputs.identity(), exact,
                    List.of(new InputChange(CacheMissReason.CACHED, "", null, null)));
        }
        List<CacheRecord> candidates = sameIdentity.stream()
                .filter(r -> r.inputs().identity().equals(inputs.identity())).toList();
        if (candidates.stream().anyMatch(r -> r.key().equals(key))) {
            return new MissExplanation(key, inputs.identity(), candidates.stream()
                    .filter(r -> r.key().equals(key)).findFirst(),
                    List.of(new InputChange(CacheMissReason.CACHED, "", null, null)));
        }
        Optional<CacheRecord> previous = candidates.stream().max(RECENCY);
        if (previous.isEmpty()) {
            return new MissExplanation(key, inputs.identity(), previous,
                    List.of(new InputChange(CacheMissReason.NEVER_BUILT, "", null, null)));
        }
        CacheRecord record = previous.get();
        List<InputChange> changes = diff(record.inputs(), inputs);
        if (changes.isEmpty() && record.keyVersion() != KeyFormat.VERSION) {
            changes = List.of(new InputChange(CacheMissReason.KEY_FORMAT_CHANGED, "",
                    String.valueOf(record.keyVersion()), String.valueOf(KeyFormat.VERSION)));
        }
        if (changes.isEmpty()) {
            // Equal hashed inputs under the same format give the same key, which was handled above; only a record
            // whose stored key disagrees with its inputs gets here, and stores drop those as corrupt.
            throw new IllegalStateException("record " + record.key() + " has the inputs of " + key);
        }
        return new MissExplanation(key, inputs.identity(), previous, changes);
    }

    /** Lists the hashed inputs that differ, in the order documented on {@link MissExplanation}. */
    static List<InputChange> diff(CacheKeyInputs before, CacheKeyInputs after) {
        List<InputChange> changes = new ArrayList<>();
        StepParent oldParent = before.parent();
        StepParent newParent = after.parent();
        boolean parentChanged = !oldParent.equals(newParent);
        boolean baseChanged = parentChanged
                && (oldParent.kind() != StepParent.Kind.STEP || newParent.kind() != StepParent.Kind.STEP);
        if (baseChanged) {
            changes.add(new InputChange(CacheMissReason.BASE_IMAGE_CHANGED, "", oldParent.toString(),
                    newParent.toString()));
        }
        if (!before.kind().equals(after.kind()) || !before.instruction().equals(after.instruction())) {
            changes.add(new InputChange(CacheMissReason.INSTRUCTION_CHANGED, changedFields(before, after),
                    before.text(), after.text()));
        }
        if (!before.platform().equals(after.platform())) {
            changes.add(new InputChange(CacheMissReason.PLATFORM_CHANGED, "", before.platform().toString(),
                    after.platform().toString()));
        }
        mapChanges(CacheMissReason.BUILD_ARG_CHANGED, before.buildArgs(), after.buildArgs(), changes);
        mapChanges(CacheMissReason.CONTENT_CHANGED, before.checksums(), after.checksums(), changes);
        if (parentChanged && !baseChanged) {
            changes.add(new InputChange(CacheMissReason.PARENT_CHANGED, "", oldParent.toString(),
                    newParent.toString()));
        }
        return changes;
    }

    private static String changedFields(CacheKeyInputs before, CacheKeyInputs after) {
        List<String> fields = new ArrayList<>();
        if (!before.kind().equals(after.kind())) {
            fields.add("kind");
        }
        TreeSet<String> names = new TreeSet<>(before.instruction().keySet());
        names.addAll(after.instruction().keySet());
        for (String name : names) {
            if (!Objects.equals(before.instruction().get(name), after.instruction().get(name))) {
                fields.add(name);
            }
        }
        return String.join(", ", fields);
    }

    private static void mapChanges(CacheMissReason reason, Map<String, ?> before, Map<String, ?> after,
            List<InputChange> changes) {
        TreeSet<String> names = new TreeSet<>(before.keySet());
        names.addAll(after.keySet());
        for (String name : names) {
            Object was = before.get(name);
            Object now = after.get(name);
            if (!Objects.equals(was, now)) {
                changes.add(new InputChange(reason, name, text(was), text(now)));
            }
        }
    }

    private static String text(Object value) {
        return value == null ? null : value instanceof Digest d ? d.toString() : (String) value;
    }
}
