package dev.wharf.cache;

/**
 * Why a step missed the cache: one kind of input that differs from the previous build of the same step.
 *
 * <p>An enum with behaviour, immutable and thread-safe (like Caffeine's {@code RemovalCause}): each reason knows
 * whether it points upstream and how to describe an {@link InputChange} of its kind.
 */
public enum CacheMissReason {
    /** No build of this step identity is recorded (first build, or its records were pruned). */
    NEVER_BUILT {
        @Override
        String describe(InputChange change) {
            return "never built before";
        }
    },
    /** The base image resolved to other content (or the step moved to or from scratch). */
    BASE_IMAGE_CHANGED {
        @Override
        String describe(InputChange change) {
            return "base image changed: " + change.before() + " -> " + change.after();
        }
    },
    /** The instruction after expansion differs (kind, command, flags, expanded values). */
    INSTRUCTION_CHANGED {
        @Override
        String describe(InputChange change) {
            String fields = change.subject().isEmpty() ? "" : " (" + change.subject() + ")";
            return "instruction changed" + fields + ": was `" + change.before() + "`, now `" + change.after() + "`";
        }
    },
    /** The platform built for differs. */
    PLATFORM_CHANGED {
        @Override
        String describe(InputChange change) {
            return "platform changed: " + change.before() + " -> " + change.after();
        }
    },
    /** A build ARG the step uses has another value, or is newly used, or no longer used. */
    BUILD_ARG_CHANGED {
        @Override
        String describe(InputChange change) {
            if (change.before() == null) {
                return "ARG " + change.subject() + " is new: \"" + change.after() + "\"";
            }
            if (change.after() == null) {
                return "ARG " + change.subject() + " is no longer used (was \"" + change.before() + "\")";
            }
            return "ARG " + change.subject() + " changed: \"" + change.before() + "\" -> \"" + change.after() + "\"";
        }
    },
    /** The content checksum of a source (COPY/ADD source, bind mount, {@code COPY --from} files) differs. */
    CONTENT_CHANGED {
        @Override
        String describe(InputChange change) {
            if (change.before() == null) {
                return "new source " + change.subject() + " (" + change.after() + ")";
            }
            if (change.after() == null) {
                return "source " + change.subject() + " no longer used";
            }
            return "content of " + change.subject() + " changed: " + change.before() + " -> " + change.after();
        }
    },
    /**
     * The step itself is unchanged but the previous step's key differs: the cause is upstream, at the first step
     * of the chain that missed for another reason.
     */
    PARENT_CHANGED {
        @Override
        public boolean upstream() {
            return true;
        }

        @Override
        String describe(InputChange change) {
            return "previous step changed";
        }
    },
    /**
     * All inputs are equal but the previous record was keyed by another version of wharf's key format; the step is
     * rebuilt once under the new format.
     */
    KEY_FORMAT_CHANGED {
        @Override
        String describe(InputChange change) {
            return "wharf's cache key format changed (version " + change.before() + " -> " + change.after() + ")";
        }
    },
    /** Not a miss: a record with this key exists (for example another build saved it meanwhile). */
    CACHED {
        @Override
        public boolean isMiss() {
            return false;
        }

        @Override
        String describe(InputChange change) {
            return "cached";
        }
    };

    /**
     * Returns whether the reason points to an earlier step rather than this one, so a report can show only the
     * first miss of a chain in detail.
     */
    public boolean upstream() {
        return false;
    }

    /** Returns whether this reason explains a miss ({@link #CACHED} does not). */
    public boolean isMiss() {
        return true;
    }

    /** Describes one change of this kind in a sentence for users. */
    abstract String describe(InputChange change);
}
