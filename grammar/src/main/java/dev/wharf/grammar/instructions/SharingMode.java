package dev.wharf.grammar.instructions;

import java.util.Locale;

/** The {@code sharing=} values of cache mounts ({@code commands_runmount.go}). */
public enum SharingMode {
    SHARED, PRIVATE, LOCKED;

    /** The mode as written in a Dockerfile. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
