package dev.wharf.cache;

import dev.wharf.layers.Digest;
import dev.wharf.layers.Platform;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything that goes into a build step's {@link CacheKey}, kept with the cache entry so a later miss can say which
 * input changed.
 *
 * <p>An immutable record, thread-safe; maps are sorted, unmodifiable copies. The key is
 * {@code sha256(canonical JSON of parent, kind, instruction, buildArgs, platform, checksums)} (see
 * {@link KeyFormat}); {@code identity} and {@code text} are kept but not hashed, for the reasons in
 * {@link KeyExclusions}.
 *
 * @param identity which step this is, for {@link CacheStore#explainMiss}; not part of the key
 * @param parent what the step builds on: the previous step's key, the base image's content digest, or scratch
 * @param kind the instruction keyword in upper case, e.g. {@code RUN}, {@code COPY}
 * @param text the instruction after expansion as shown to users, e.g. {@code RUN make all}; not part of the key
 * @param instruction the instruction after expansion in canonical form, as the planner provides it: field name to
 *     an ordered list of strings (e.g. {@code "cmd" -> ["/bin/sh","-c","make all"]}, {@code "env" -> [...]});
 *     list order is significant, map order is not
 * @param buildArgs the build ARGs the step used that count in the key (see
 *     {@link KeyExclusions#UNDECLARED_PROXY_ARGS}), name to value
 * @param platform the platform the step builds for
 * @param checksums content checksums of the step's inputs (COPY/ADD sources, bind mounts, {@code COPY --from}
 *     files), source name to digest, as computed by the context module
 */
public record CacheKeyInputs(
        StepIdentity identity,
        StepParent parent,
        String kind,
        String text,
        SortedMap<String, List<String>> instruction,
        SortedMap<String, String> buildArgs,
        Platform platform,
        SortedMap<String, Digest> checksums) {

    /**
     * Validates and copies.
     *
     * @throws NullPointerException if a field, a map key or value, or a list element is null
     * @throws IllegalArgumentException if the kind is empty or some text holds an unpaired surrogate (see
     *     {@link TextChecks}); both are bugs in the caller
     */
    public CacheKeyInputs {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(platform, "platform");
        if (kind.isEmpty()) {
            throw new IllegalArgumentException("step kind is empty");
        }
        TextChecks.wellFormed(kind, "step kind");
        TextChecks.wellFormed(text, "instruction text");
        TreeMap<String, List<String>> instructionCopy = new TreeMap<>();
        Objects.requireNonNull(instruction, "instruction").forEach((k, v) -> {
            TextChecks.wellFormed(Objects.requireNonNull(k, "instruction field name"), "instruction field name");
            List<String> values = List.copyOf(v);
            values.forEach(value -> TextChecks.wellFormed(value, "instruction field " + k));
            instructionCopy.put(k, values);
        });
        instruction = Collections.unmodifiableSortedMap(instructionCopy);
        buildArgs = sortedCopy(buildArgs, "build ARG");
        buildArgs.values().forEach(value -> TextChecks.wellFormed(value, "build ARG value"));
        checksums = sortedCopy(checksums, "checksum source");
        TextChecks.wellFormed(platform.toString(), "platform");
        platform.osFeatures().forEach(feature -> TextChecks.wellFormed(feature, "platform OS feature"));
        if (platform.osVersion() != null) {
            TextChecks.wellFormed(platform.osVersion(), "platform OS version");
        }
    }

    private static <V> SortedMap<String, V> sortedCopy(Map<String, V> map, String what) {
        TreeMap<String, V> copy = new TreeMap<>();
        Objects.requireNonNull(map, what).forEach((k, v) -> copy.put(
                TextChecks.wellFormed(Objects.requireNonNull(k, what + " name"), what + " name"),
                Objects.requireNonNull(v, what + " value")));
        return Collections.unmodifiableSortedMap(copy);
    }

    /** Returns the key: the sha256 of the canonical, versioned serialization of the hashed fields. */
    public CacheKey key() {
        return KeyFormat.key(this);
    }

    /** Returns a builder for the step with the given identity, parent and kind. */
    public static Builder builder(StepIdentity identity, StepParent parent, String kind) {
        return new Builder(identity, parent, kind);
    }

    /** Returns a builder initialised with these inputs, to derive a variant. */
    public Builder toBuilder() {
        Builder b = new Builder(identity, parent, kind).text(text).platform(platform);
        b.instruction.putAll(instruction);
        b.buildArgs.putAll(buildArgs);
        b.checksums.putAll(checksums);
        return b;
    }

    /**
     * A builder of {@link CacheKeyInputs}. Not thread-safe; use one per step. The platform is required; the text
     * defaults to the kind.
     */
    public static final class Builder {
        private StepIdentity identity;
        private StepParent parent;
        private String kind;
        private String text;
        private Platform platform;
        private final TreeMap<String, List<String>> instruction = new TreeMap<>();
        private final TreeMap<String, String> buildArgs = new TreeMap<>();
        private final TreeMap<String, Digest> checksums = new TreeMap<>();

        private Builder(StepIdentity identity, StepParent parent, String kind) {
            this.identity = identity;
            this.parent = parent;
            this.kind = kind;
        }

        /** Sets the identity. */
        public Builder identity(StepIdentity value) {
            this.identity = value;
            return this;
        }

        /** Sets the parent. */
        public Builder parent(StepParent value) {
            this.parent = value;
            return this;
        }

        /** Sets the kind. */
        public Builder kind(String value) {
            this.kind = value;
            return this;
        }

        /** Sets the display text. */
        public Builder text(String value) {
            this.text = value;
            return this;
        }

        /** Sets the platform. */
        public Builder platform(Platform value) {
            this.platform = value;
            return this;
        }

        /** Sets one field of the canonical instruction (replacing it if already set). */
        public Builder instruction(String field, List<String> values) {
            instruction.put(field, List.copyOf(values));
            return this;
        }

        /** Sets one field of the canonical instruction (replacing it if already set). */
        public Builder instruction(String field, String... values) {
            return instruction(field, List.of(values));
        }

        /** Removes one field of the canonical instruction. */
        public Builder withoutInstruction(String field) {
            instruction.remove(field);
            return this;
        }

        /** Adds a build ARG declared by an {@code ARG} instruction in scope and used by the step. */
        public Builder buildArg(String name, String value) {
            buildArgs.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Removes a build ARG. */
        public Builder withoutBuildArg(String name) {
            buildArgs.remove(name);
            return this;
        }

        /**
         * Adds the build ARGs a step sees, keeping those that count in the key: undeclared proxy ARGs are left out
         * ({@link KeyExclusions#countsInKey}).
         *
         * @param used ARG name to value, as the step sees them
         * @param declared the names an {@code ARG} instruction in scope declares
         */
        public Builder usedArgs(Map<String, String> used, Set<String> declared) {
            used.forEach((name, value) -> {
                if (KeyExclusions.countsInKey(name, declared.contains(name))) {
                    buildArg(name, value);
                }
            });
            return this;
        }

        /** Adds the content checksum of one source (replacing it if already set). */
        public Builder checksum(String source, Digest digest) {
            checksums.put(Objects.requireNonNull(source, "source"), Objects.requireNonNull(digest, "digest"));
            return this;
        }

        /** Removes the checksum of one source. */
        public Builder withoutChecksum(String source) {
            checksums.remove(source);
            return this;
        }

        /**
         * Builds the inputs.
         *
         * @throws NullPointerException if identity, parent, kind or platform is missing
         */
        public CacheKeyInputs build() {
            return new CacheKeyInputs(identity, parent, kind, text == null ? kind : text, instruction, buildArgs,
                    platform, checksums);
        }
    }
}
