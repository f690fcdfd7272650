package dev.wharf.grammar.instructions;

import java.util.Locale;
import java.util.Optional;

/** The {@code RUN --network} modes BuildKit accepts ({@code commands_runnetwork.go}). */
public enum NetworkMode {
    DEFAULT, NONE, HOST;

    /** The mode as written in a Dockerfile. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode for an exact (case-sensitive) value, as upstream matches it. */
    public static Optional<NetworkMode> of(String value) {
        for (NetworkMode mode : values()) {
            if (mode.value().equals(value)) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
