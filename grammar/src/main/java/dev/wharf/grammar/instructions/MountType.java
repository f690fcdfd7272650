package dev.wharf.grammar.instructions;

import java.util.Locale;

/** The {@code RUN --mount} types ({@code commands_runmount.go}). */
public enum MountType {
    BIND, CACHE, TMPFS, SECRET, SSH;

    /** The type as written in a Dockerfile. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
