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

    /** The instruction field of a RUN's environment, {@code KEY=VALUE} entries (ARGs in scope included). */
    private static final String ENV = "env";
    /** What a side of a changed field shows when it has no entry of its own. */
    static final String NONE = "(none)";

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
        List<String> fields = changedFields(before, after);
        if (!fields.isEmpty()) {
            // The text names what changed only when it differs; an ENV, USER or SHELL change before a RUN leaves
            // the RUN's text as it was, so then the changed field values are what the user needs to see.
            boolean textShows = !before.text().equals(after.text());
            changes.add(new InputChange(CacheMissReason.INSTRUCTION_CHANGED, String.join(", ", fields),
                    textShows ? before.text() : fieldValues(before, after, fields),
                    textShows ? after.text() : fieldValues(after, before, fields)));
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

    /**
     * The changed instruction fields, leaving out an {@code env} whose only changed entries are build ARGs the
     * step reports as changed anyway: ARG values are in a RUN's environment, and saying so twice hides the cause.
     */
    private static List<String> changedFields(CacheKeyInputs before, CacheKeyInputs after) {
        List<String> fields = new ArrayList<>();
        if (!before.kind().equals(after.kind())) {
            fields.add("kind");
        }
        TreeSet<String> names = new TreeSet<>(before.instruction().keySet());
        names.addAll(after.instruction().keySet());
        TreeSet<String> changedArgs = new TreeSet<>(before.buildArgs().keySet());
        changedArgs.addAll(after.buildArgs().keySet());
        changedArgs.removeIf(a -> Objects.equals(before.buildArgs().get(a), after.buildArgs().get(a)));
        for (String name : names) {
            List<String> was = field(before, name);
            List<String> now = field(after, name);
            if (was.equals(now)) {
                continue;
            }
            if (name.equals(ENV) && onlyArgs(was, now, changedArgs) && onlyArgs(now, was, changedArgs)) {
                continue;
            }
            fields.add(name);
        }
        return fields;
    }

    private static List<String> field(CacheKeyInputs inputs, String name) {
        return inputs.instruction().getOrDefault(name, List.of());
    }

    /** Whether every entry of {@code entries} missing from {@code other} is a {@code NAME=...} of a changed ARG. */
    private static boolean onlyArgs(List<String> entries, List<String> other, TreeSet<String> changedArgs) {
        return entries.stream().filter(e -> !other.contains(e))
                .allMatch(e -> e.indexOf('=') > 0 && changedArgs.contains(e.substring(0, e.indexOf('='))));
    }

    /**
     * The values of {@code fields} in {@code inputs} as text: for each field the entries {@code other} does not
     * have (all of them when only their order changed), each after its name when there are several, e.g.
     * {@code E=1} or {@code env: E=1; user: app}; {@value #NONE} when it has no entry the other lacks (an ENV
     * entry removed, the RUN's environment otherwise the same).
     */
    private static String fieldValues(CacheKeyInputs inputs, CacheKeyInputs other, List<String> fields) {
        List<String> parts = new ArrayList<>();
        for (String name : fields) {
            if (name.equals("kind")) {
                parts.add("kind: " + inputs.kind());
                continue;
            }
            List<String> mine = field(inputs, name);
            List<String> theirs = field(other, name);
            List<String> only = mine.stream().filter(v -> !theirs.contains(v)).toList();
            boolean reordered = only.isEmpty() && theirs.stream().allMatch(mine::contains);
            List<String> shown = reordered ? mine : only;
            // A side that only lost (or only gained) entries has none of its own: "(none)", not an empty `` that
            // reads as a blank value; the other side names the entries that went or came.
            String values = shown.isEmpty() ? NONE : String.join(" ", shown);
            parts.add(fields.size() == 1 ? values : name + ": " + values);
        }
        return String.join("; ", parts);
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
